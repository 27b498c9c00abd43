/**
 * The effectful half of the bounded list pages (the rules are in src/domain/notifications/list-window.rules.ts):
 * after a list read its matches from a window of at most LIST_SCAN_ROWS ids, find where the window ended, so a
 * short page can still say where to continue. Shared by `GET /v1/notifications` and `GET /v1/deliveries`.
 */
import { type Subquery, sql } from "drizzle-orm";
import { LIST_SCAN_ROWS, windowPage } from "../domain/notifications/list-window.rules.ts";
import type { Queryable } from "./queryable.ts";

/**
 * The page of `matched` (newest first, at most `limit + 1`) and the id to continue after: the last match when
 * the page is full, else the window's last id when the window was full (null: the range ended inside it).
 * `window` is the list's id window as a subquery (`….as("w")`).
 */
export async function pageFromWindow<T extends { id: string }>(
  q: Queryable,
  window: Subquery,
  matched: T[],
  limit: number,
): Promise<{ page: T[]; continueAfter: string | null }> {
  let end: string | null = null;
  if (matched.length <= limit) {
    const [row] = await q
      .select({ n: sql<number>`count(*)`, last: sql<string | null>`min(${sql.identifier("id")})` })
      .from(window);
    end = row && Number(row.n) >= LIST_SCAN_ROWS ? row.last : null;
  }
  return windowPage(matched, limit, end);
}
