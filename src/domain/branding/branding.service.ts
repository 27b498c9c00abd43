/**
 * Company branding for emails (logo, colours, names, footer), stored as the `branding` setting. Every render
 * reads it, so it is cached in memory: a PUT here clears the cache at once, and an entry lives at most
 * `BRANDING_CACHE_MS` (caches.ts) so a change made by another process sharing the database shows up within seconds.
 */
import type { Queryable } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import { definedFields } from "../defined-fields.rules.ts";
import { getSetting, putSetting } from "../settings/settings.repo.ts";
import type { Branding } from "../templates/templates.types.ts";

/** The settings key branding is stored under. */
export const BRANDING_KEY = "branding";

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

/** Stored branding merged over the defaults (fields added later get their default). */
async function readBranding(q: Queryable): Promise<Branding> {
  const stored = await getSetting<Partial<Branding>>(q, BRANDING_KEY);
  return Object.freeze({ ...DEFAULT_BRANDING, ...stored });
}

/**
 * The current branding (defaults when never set), cached for `BRANDING_CACHE_MS`. `now` is monotonic ms
 * (`performance.now()`): it only ages the cache.
 */
export async function getBranding(
  { db, caches }: Pick<Deps, "db" | "caches">,
  now?: number,
): Promise<Branding> {
  // biome-ignore lint/style/noNonNullAssertion: readBranding never returns null
  return (await caches.branding.get(BRANDING_KEY, () => readBranding(db.read), now))!;
}

/** Merges `input` into the stored branding and returns the result; the cache is cleared once it commits. */
export async function putBranding(
  deps: Pick<Deps, "db" | "clock" | "caches">,
  input: BrandingInput,
): Promise<Branding> {
  const now = deps.clock.now();
  const branding = await deps.db.write(async (tx) => {
    const merged = { ...(await readBranding(tx)), ...definedFields(input) };
    await putSetting(tx, BRANDING_KEY, merged, now);
    return merged;
  });
  deps.caches.branding.clear();
  return Object.freeze(branding);
}
