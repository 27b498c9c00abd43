import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { deliveries, notifications } from "../../../db/schema.ts";
import { decodeCursor, encodeCursor } from "../../db/cursor.ts";
import { pageFromWindow } from "../../db/window-page.ts";
import type { Deps } from "../../deps.ts";
import { notFound } from "../../errors.ts";
import type { Priority } from "../priorities.ts";
import { idBounds, LIST_SCAN_ROWS, unindexed } from "./list-window.rules.ts";
import { type NotificationView, toNotificationView } from "./notifications.view.ts";

/** A delivery as shown with its notification. */
export interface DeliverySummary {
  id: string;
  channel: "email" | "sms";
  status: string;
  reason: string | null;
  runAt: number;
  attempts: number;
  sentAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One notification with its deliveries. */
export async function getNotification(
  deps: Deps,
  id: string,
): Promise<NotificationView & { deliveries: DeliverySummary[] }> {
  const [row] = await deps.db.read
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), isNull(notifications.erasedAt)))
    .limit(1);
  if (!row) throw notFound("Notification", id);
  const rows = await deps.db.read
    .select()
    .from(deliveries)
    .where(eq(deliveries.notificationId, id))
    .orderBy(asc(deliveries.channel));
  return {
    ...toNotificationView(row),
    deliveries: rows.map((d) => ({
      id: d.id,
      channel: d.channel,
      status: d.status,
      reason: d.reason,
      runAt: d.runAt,
      attempts: d.attempts,
      sentAt: d.sentAt,
      lastError: d.lastError,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    })),
  };
}

/**
 * The context a notification was rendered from, as stored (the views leave it out: it can be large). Not found
 * for an unknown or erased notification, like {@link getNotification}.
 */
export async function getNotificationContext(
  deps: Pick<Deps, "db">,
  id: string,
): Promise<Record<string, unknown>> {
  const [row] = await deps.db.read
    .select({ context: notifications.context })
    .from(notifications)
    .where(and(eq(notifications.id, id), isNull(notifications.erasedAt)))
    .limit(1);
  if (!row) throw notFound("Notification", id);
  return row.context;
}

/** Filters for listing notifications. */
export interface NotificationFilter {
  recipientId?: string;
  priority?: Priority;
  category?: string;
  read?: boolean;
  createdFrom?: number;
  createdTo?: number;
  q?: string;
  cursor?: string;
  limit: number;
}

/** Escapes LIKE wildcards so a search for `50%` means the literal text. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Notifications newest first with cursor pagination, bounded per request (see list-window.rules.ts): the
 * recipient (with its unread index for `read=false`), the cursor and the creation range select an id range of an
 * index; priority, category, read state and text search filter a window of at most {@link LIST_SCAN_ROWS} rows
 * of it. A page that used up its window before filling comes back short with a cursor to continue.
 */
export async function listNotifications(
  deps: Pick<Deps, "db">,
  f: NotificationFilter,
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const range: SQL[] = [];
  if (f.recipientId) range.push(eq(notifications.recipientId, f.recipientId));
  if (f.recipientId && f.read === false) range.push(isNull(notifications.readAt));
  if (f.cursor) range.push(lt(notifications.id, decodeCursor(f.cursor)));
  const bounds = idBounds(f);
  if (bounds.atLeast) range.push(gte(notifications.id, bounds.atLeast));
  if (bounds.below) range.push(lt(notifications.id, bounds.below));

  // The filters apply to rows already chosen by id: unindexed, so no index of theirs replaces the window.
  const n = {
    erasedAt: unindexed(notifications.erasedAt),
    priority: unindexed(notifications.priority),
    category: unindexed(notifications.category),
    readAt: unindexed(notifications.readAt),
    createdAt: unindexed(notifications.createdAt),
  };
  const filters: SQL[] = [isNull(n.erasedAt)];
  if (f.priority) filters.push(eq(n.priority, f.priority));
  if (f.category) filters.push(eq(n.category, f.category));
  if (f.read === true) filters.push(isNotNull(n.readAt));
  if (f.read === false) filters.push(isNull(n.readAt));
  if (f.createdFrom !== undefined) filters.push(gte(n.createdAt, f.createdFrom));
  if (f.createdTo !== undefined) filters.push(lte(n.createdAt, f.createdTo));
  if (f.q) {
    const pattern = likePattern(f.q);
    filters.push(
      // biome-ignore lint/style/noNonNullAssertion: or() of two conditions is defined
      or(
        sql`${notifications.title} LIKE ${pattern} ESCAPE '\\'`,
        sql`${notifications.message} LIKE ${pattern} ESCAPE '\\'`,
      )!,
    );
  }

  const q = deps.db.read;
  const window = q
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(...range))
    .orderBy(desc(notifications.id))
    .limit(LIST_SCAN_ROWS);
  const matched = await q
    .select()
    .from(notifications)
    .where(and(inArray(notifications.id, window), ...filters))
    .orderBy(desc(notifications.id))
    .limit(f.limit + 1);
  const { page, continueAfter } = await pageFromWindow(q, window.as("w"), matched, f.limit);
  return {
    items: page.map(toNotificationView),
    nextCursor: continueAfter ? encodeCursor(continueAfter) : null,
  };
}
