import { and, count, eq, gt } from "drizzle-orm";
import { notifications } from "../../../db/schema.ts";
import type { Queryable } from "../../db/database.ts";

/** What makes two notifications "the same" for the loop guard. */
export interface LoopKey {
  recipientId: string;
  template: string;
  /** The notification's subject; null counts every notification of the template. */
  subject: { type: string; id: string } | null;
}

/**
 * How many notifications like `key` were created after `since`: a range of `notifications_loop_idx`
 * (recipient, template, created_at), so the cost grows with that recipient's notifications in the window only.
 */
export async function countSimilarSince(q: Queryable, key: LoopKey, since: number): Promise<number> {
  const [row] = await q
    .select({ n: count() })
    .from(notifications)
    .where(
      and(
        eq(notifications.recipientId, key.recipientId),
        eq(notifications.template, key.template),
        gt(notifications.createdAt, since),
        key.subject ? eq(notifications.subjectType, key.subject.type) : undefined,
        key.subject ? eq(notifications.subjectId, key.subject.id) : undefined,
      ),
    );
  return row?.n ?? 0;
}
