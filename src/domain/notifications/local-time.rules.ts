/**
 * Pure time-zone arithmetic for quiet hours and digests. Times are epoch ms (UTC); zones are IANA names.
 * DST is handled by asking Intl for the zone's offset at each instant rather than assuming fixed offsets.
 */

/** Longer than any IANA zone name (the longest is about 30 characters); longer input is refused unread. */
export const MAX_TIME_ZONE_LENGTH = 64;

/**
 * One formatter per zone, keyed by the zone's canonical spelling only (`America/Chicago`, never
 * `america/CHICAGO`), and only for zones the runtime knows: so the cache is bounded by the runtime's zone list,
 * whatever strings reach it.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a zone the runtime does not know. */
function formatter(zone: string): Intl.DateTimeFormat {
  const cached = formatters.get(zone);
  if (cached) return cached;
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const canonical = f.resolvedOptions().timeZone;
  const known = formatters.get(canonical);
  if (known) return known;
  formatters.set(canonical, f);
  return f;
}

/**
 * The canonical spelling of an IANA time zone name this runtime knows (`america/chicago` → `America/Chicago`),
 * or null for anything else: unknown names, UTC offsets such as `+05:00`, and strings longer than
 * {@link MAX_TIME_ZONE_LENGTH}. Nothing is cached for a string that is not a zone.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (zone.length === 0 || zone.length > MAX_TIME_ZONE_LENGTH || /^[+-]?\d/.test(zone)) return null;
  try {
    return formatter(zone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** How many zones have a cached formatter (for tests of the bound). */
export function cachedTimeZoneCount(): number {
  return formatters.size;
}

/** Wall-clock fields of `instant` in `zone`. */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `zone` at `instant`. */
export function localParts(instant: number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(instant)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `zone` from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetAt(instant: number, zone: string): number {
  const p = localParts(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` shows the given date and time. Like Temporal's "compatible"
 * disambiguation: a time skipped by a DST change moves forward by the gap (02:30 → 03:30); a repeated time
 * resolves to its first occurrence.
 */
export function zonedInstant(
  zone: string,
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const HALF_DAY = 12 * 3_600_000;
  // Real zones change offset at most once within a day, so the offsets half a day either side are the two
  // candidates.
  const before = wall - offsetAt(wall - HALF_DAY, zone);
  const after = wall - offsetAt(wall + HALF_DAY, zone);
  const shows = (instant: number) => {
    const p = localParts(instant, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wall;
  };
  const valid = [before, after].filter(shows);
  if (valid.length > 0) return Math.min(...valid);
  return before; // in a gap: the pre-transition offset lands after the gap by its length
}

function localMinutes(instant: number, zone: string): number {
  const p = localParts(instant, zone);
  return p.hour * 60 + p.minute;
}

/** "HH:MM" → minutes after midnight. */
export function parseHhMm(value: string): number {
  const [h, m] = value.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The first instant strictly after `after` at which the wall clock in `zone` shows `minuteOfDay`. */
export function nextLocalTime(after: number, zone: string, minuteOfDay: number): number {
  const today = localParts(after, zone);
  const hour = Math.floor(minuteOfDay / 60);
  const minute = minuteOfDay % 60;
  for (let dayOffset = 0; dayOffset <= 2; dayOffset++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + dayOffset));
    const candidate = zonedInstant(
      zone,
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
      hour,
      minute,
    );
    if (candidate > after) return candidate;
  }
  /* c8 ignore next */
  throw new Error("unreachable: a local time recurs within two days");
}

/** A daily quiet window in local time; `start` may be after `end` (crossing midnight). */
export interface QuietWindow {
  start: string;
  end: string;
}

/**
 * When quiet hours hold at `instant` in `zone`, the instant they end; otherwise null. A window with
 * start == end is empty.
 */
export function quietHoursEnd(instant: number, zone: string, window: QuietWindow): number | null {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  if (start === end) return null;
  const now = localMinutes(instant, zone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  return inside ? nextLocalTime(instant, zone, end) : null;
}
