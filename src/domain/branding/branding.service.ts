/**
 * Company branding for emails (logo, colours, names, footer), stored as the `branding` setting. Every render
 * reads it, so it is cached in memory: a PUT here clears the cache at once, and an entry lives at most
 * {@link BRANDING_CACHE_MS} so a change made by another process sharing the database shows up within seconds.
 */
import type { Queryable } from "../../db/database.ts";
import type { Deps } from "../../deps.ts";
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

interface CacheEntry {
  value: Branding;
  expires: number;
}

/**
 * Cached branding per database connection. Keyed by connection rather than globally because one process can
 * hold several databases (tests do). A transaction is a new object every time, so it is keyed by the client
 * of its drizzle session, which is the writer connection every transaction shares.
 */
let cache = new WeakMap<object, CacheEntry>();
let generation = 0;

function connectionOf(q: Queryable): object {
  return (q as unknown as { session?: { client?: object } }).session?.client ?? q;
}

/** Stored branding merged over the defaults (fields added later get their default). */
async function readBranding(q: Queryable): Promise<Branding> {
  const stored = await getSetting<Partial<Branding>>(q, BRANDING_KEY);
  return Object.freeze({ ...DEFAULT_BRANDING, ...stored });
}

/**
 * The current branding (defaults when never set), from a cache that lives a few seconds. `now` is monotonic
 * milliseconds (`performance.now()`), not business time: it only ages the cache.
 */
export async function getBranding(q: Queryable, now: number = performance.now()): Promise<Branding> {
  const key = connectionOf(q);
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.value;
  const started = generation;
  const value = await readBranding(q);
  // A PUT that committed while this read was in flight wins: do not cache what it replaced.
  if (started === generation) cache.set(key, { value, expires: now + BRANDING_CACHE_MS });
  return value;
}

/** Merges `input` into the stored branding and returns the result; the cache is cleared once it commits. */
export async function putBranding(deps: Pick<Deps, "db" | "clock">, input: BrandingInput): Promise<Branding> {
  const now = deps.clock.now();
  const branding = await deps.db.write(async (tx) => {
    const merged = { ...(await readBranding(tx)), ...withoutUndefined(input) };
    await putSetting(tx, BRANDING_KEY, merged, now);
    return merged;
  });
  generation++;
  cache = new WeakMap();
  return Object.freeze(branding);
}

function withoutUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
