/**
 * Company branding for emails (logo, colours, names, footer), stored as the `branding` setting. Every render
 * reads it, so it is cached in memory: a PUT here clears the cache at once, and an entry lives at most
 * {@link BRANDING_CACHE_MS} so a change made by another process sharing the database shows up within seconds.
 */

import type { Database, Queryable } from "../../db/database.ts";
import { createReadCache } from "../../db/read-cache.ts";
import type { Deps } from "../../deps.ts";
import { definedFields } from "../defined-fields.rules.ts";
import { getSetting, putSetting } from "../settings/settings.repo.ts";
import type { Branding } from "../templates/templates.types.ts";

/** The settings key branding is stored under. */
export const BRANDING_KEY = "branding";

/** How long a cached branding may be served before it is read again. */
export const BRANDING_CACHE_MS = 5_000;

/** What emails use until an operator sets branding. */
export const DEFAULT_BRANDING: Readonly<Branding> = Object.freeze({
  companyName: "Herald",
  logoUrl: null,
  primaryColor: "#1f4e79",
  accentColor: "#d9822b",
  footerText: "You receive this email because you have an account with us.",
  supportEmail: null,
  fromName: "Herald",
});

/** Fields a PUT may change; absent fields keep their value, null clears an optional one. */
export type BrandingInput = Partial<Branding>;

const cachedBranding = createReadCache<Branding>(BRANDING_CACHE_MS);

/** Stored branding merged over the defaults (fields added later get their default). */
async function readBranding(q: Queryable): Promise<Branding> {
  const stored = await getSetting<Partial<Branding>>(q, BRANDING_KEY);
  return Object.freeze({ ...DEFAULT_BRANDING, ...stored });
}

/**
 * The current branding (defaults when never set), cached for {@link BRANDING_CACHE_MS}. `now` is monotonic ms
 * (`performance.now()`): it only ages the cache.
 */
export async function getBranding(db: Database, now?: number): Promise<Branding> {
  // biome-ignore lint/style/noNonNullAssertion: readBranding never returns null
  return (await cachedBranding.get(db, BRANDING_KEY, () => readBranding(db.read), now))!;
}

/** Merges `input` into the stored branding and returns the result; the cache is cleared once it commits. */
export async function putBranding(deps: Pick<Deps, "db" | "clock">, input: BrandingInput): Promise<Branding> {
  const now = deps.clock.now();
  const branding = await deps.db.write(async (tx) => {
    const merged = { ...(await readBranding(tx)), ...definedFields(input) };
    await putSetting(tx, BRANDING_KEY, merged, now);
    return merged;
  });
  cachedBranding.clear(deps.db);
  return Object.freeze(branding);
}
