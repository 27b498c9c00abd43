/**
 * How operator list filters (`GET /v1/notifications`, `GET /v1/deliveries`) stay bounded at any table size.
 *
 * Both lists are newest first by id, and ids are ULIDs of the creation instant (`newId(now)` with the
 * `created_at` of the same row). So a `createdFrom`/`createdTo` range is also an id range, which the primary key
 * (or a `(…, id)` index) reads directly instead of walking from the newest row. Monotonic ids can run ahead of
 * `created_at` when the clock steps back, never behind it, so the lower bound is exact and the upper one gets
 * {@link ID_CLOCK_SLACK_MS} of slack; the exact `created_at` condition still applies on top.
 *
 * Filters no index serves (priority, category, read state, text search) are applied to a window of at most
 * {@link LIST_SCAN_ROWS} candidate rows per page, read in id order from the cursor. When the window is used up
 * before the page is full, the page comes back short (even empty) with a `nextCursor` that continues after the
 * window; a null `nextCursor` still means the end. That caps the work of one request whatever the filters match.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { encodeTime } from "ulid";

/**
 * Most candidate rows one list request reads: each costs about 0.7 µs on the thread (two B-tree lookups and the
 * filters), so a window that matches nothing costs about 1.5 ms; a dense filter stops at the page's end.
 */
export const LIST_SCAN_ROWS = 2000;

/** How far a monotonic id may run ahead of its row's `created_at` and still be found by a `createdTo` filter. */
export const ID_CLOCK_SLACK_MS = 60_000;

const ULID_MAX_TIME = 2 ** 48 - 1;

/** The smallest ULID of the millisecond `ms`. */
function ulidFloor(ms: number): string {
  return `${encodeTime(ms, 10)}0000000000000000`;
}

/** Id bounds equivalent to (or, for `below`, looser than) a `created_at` range: `id >= atLeast`, `id < below`. */
export function idBounds(range: { createdFrom?: number; createdTo?: number }): {
  atLeast?: string;
  below?: string;
} {
  const bounds: { atLeast?: string; below?: string } = {};
  if (range.createdFrom !== undefined && range.createdFrom > 0 && range.createdFrom <= ULID_MAX_TIME) {
    bounds.atLeast = ulidFloor(range.createdFrom);
  }
  const upper = range.createdTo === undefined ? undefined : range.createdTo + 1 + ID_CLOCK_SLACK_MS;
  if (upper !== undefined && upper <= ULID_MAX_TIME)
    bounds.below = upper <= 0 ? ulidFloor(0) : ulidFloor(upper);
  return bounds;
}

/**
 * The page and its cursor from a windowed read: `matched` are the rows that passed the filters (newest first, at
 * most `limit + 1`), `windowEnd` the last id the window read when it read all {@link LIST_SCAN_ROWS} (null when
 * the range ended inside the window).
 */
export function windowPage<T extends { id: string }>(
  matched: T[],
  limit: number,
  windowEnd: string | null,
): { page: T[]; continueAfter: string | null } {
  const page = matched.slice(0, limit);
  if (matched.length > limit) return { page, continueAfter: page.at(-1)?.id ?? null };
  return { page, continueAfter: windowEnd };
}

/**
 * A column as `+column`: the same value, but SQLite will not use an index for a condition on it. The lists apply
 * their filters to rows already chosen by id; an index on a filtered column (the SMS spend index for
 * `channel = 'sms'`, the unread index for `read_at IS NULL`) would otherwise replace the bounded window with a
 * scan of everything that column matches.
 */
export function unindexed(column: SQLWrapper): SQL {
  return sql`+${column}`;
}
