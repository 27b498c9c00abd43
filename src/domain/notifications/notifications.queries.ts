import { and, asc, desc, eq, gte, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { deliveries, notifications } from "../../../db/schema.ts";
import { decodeCursor, encodeCursor } from "../../db/cursor.ts";
import type { Deps } from "../../deps.ts";
import { notFound } from "../../errors.ts";
import type { Priority } from "./delivery-policy.rules.ts";
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

/** Notifications newest first with cursor pagination. */
export async function listNotifications(
  deps: Deps,
  f: NotificationFilter,
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const where: SQL[] = [isNull(notifications.erasedAt)];
  if (f.recipientId) where.push(eq(notifications.recipientId, f.recipientId));
  if (f.priority) where.push(eq(notifications.priority, f.priority));
  if (f.category) where.push(eq(notifications.category, f.category));
  if (f.read === true) where.push(sql`${notifications.readAt} IS NOT NULL`);
  if (f.read === false) where.push(isNull(notifications.readAt));
  if (f.createdFrom !== undefined) where.push(gte(notifications.createdAt, f.createdFrom));
  if (f.createdTo !== undefined) where.push(lte(notifications.createdAt, f.createdTo));
  if (f.q) {
    const pattern = likePattern(f.q);
    // biome-ignore lint/style/noNonNullAssertion: or() of two conditions is defined
    where.push(or(sql`${notifications.title} LIKE ${pattern} ESCAPE '\\'`, sql`${notifications.message} LIKE ${pattern} ESCAPE '\\'`)!);
  }
  if (f.cursor) where.push(lt(notifications.id, decodeCursor(f.cursor)));
  const rows = await deps.db.read
    .select()
    .from(notifications)
    .where(and(...where))
    .orderBy(desc(notifications.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { items: page.map(toNotificationView), nextCursor: rows.length > f.limit && last ? encodeCursor(last.id) : null };
}
