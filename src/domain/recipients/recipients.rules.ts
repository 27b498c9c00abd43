/** Pure checks on recipient contact data. */

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

const zoneCache = new Map<string, boolean>();

/** True for an IANA time zone name this runtime knows (e.g. `America/Chicago`, `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  let ok = zoneCache.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      ok = zone.length > 0 && !/^[+-]?\d/.test(zone);
    } catch {
      ok = false;
    }
    zoneCache.set(zone, ok);
  }
  return ok;
}

/** True for a BCP 47 language tag such as `en` or `es-MX`. */
export function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}
