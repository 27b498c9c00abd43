import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

/**
 * A new sortable id (ULID, lowercase-free Crockford base32). Ids made in one process sort in creation order
 * even within one millisecond, which the inbox's cursor pagination relies on.
 */
export function newId(now: number = Date.now()): string {
  return ulid(now);
}
