/**
 * The history of alert states: every change the evaluator made (alert-evaluator.ts writes them in the same
 * transaction as the new state), newest first, a page at a time. Read by the admin console's alerts page.
 */
import { and, desc, eq, lt } from "drizzle-orm";
import { alertEvents } from "../../db/schema.ts";
import { decodeCursor, encodeCursor } from "../db/cursor.ts";
import type { Deps } from "../deps.ts";
import type { AlertSeverity, AlertStateName } from "./alert-definitions.rules.ts";

/** One change of one rule's state. */
export interface AlertEventView {
  id: string;
  name: string;
  severity: AlertSeverity;
  from: AlertStateName;
  to: AlertStateName;
  value: number | null;
  summary: string;
  at: number;
}

/** Which changes, and which page of them. */
export interface AlertHistoryQuery {
  /** One rule (its full name, e.g. `HeraldChannelPaused:email`). */
  name?: string;
  cursor?: string;
  limit: number;
}

/** A page of changes, newest first (`alert_events_name_idx` or the primary key, then the cursor's id). */
export async function alertHistory(
  { db }: Pick<Deps, "db">,
  query: AlertHistoryQuery,
): Promise<{ items: AlertEventView[]; nextCursor: string | null }> {
  const conditions = [
    query.name ? eq(alertEvents.name, query.name) : undefined,
    query.cursor ? lt(alertEvents.id, decodeCursor(query.cursor)) : undefined,
  ];
  const rows = await db.read
    .select()
    .from(alertEvents)
    .where(and(...conditions))
    .orderBy(desc(alertEvents.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1)?.id;
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
