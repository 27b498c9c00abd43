import { notifications } from "../../db/schema.ts";
import { adjustUnread } from "../../src/domain/inbox/inbox.counters.ts";
import { newId } from "../../src/ids.ts";
import type { TestApp } from "./test-app.ts";

/**
 * Stores `n` notifications for a recipient the way the create path does (rows + unread counter in one
 * transaction, change published after commit), oldest first; returns their ids in creation order. Faster and
 * more controllable than POST /v1/notifications for inbox tests (read, erased and category rows on demand).
 */
export async function addNotifications(
  t: TestApp,
  recipientId: string,
  n: number,
  fields: Partial<typeof notifications.$inferInsert> = {},
): Promise<string[]> {
  const now = t.clock.now();
  const rows = Array.from({ length: n }, (_, i) => ({
    id: newId(now),
    recipientId,
    template: "repair-status",
    templateVersion: 1,
    priority: "HIGH" as const,
    category: "repair",
    title: `Repair ${i}`,
    message: `Repair ${i} changed`,
    context: {},
    createdAt: now,
    ...fields,
  }));
  const unread = rows.filter((r) => r.readAt == null && r.erasedAt == null).length;
  const change = await t.deps.db.write(async (tx) => {
    await tx.insert(notifications).values(rows);
    return adjustUnread(tx, recipientId, unread);
  });
  t.deps.inboxEvents.publish(change);
  return rows.map((r) => r.id);
}
