import { and, count, eq, gt, sql } from "drizzle-orm";
import { notifications } from "../../../db/schema.ts";
import type { Queryable } from "../../db/database.ts";
import { prepared } from "../../db/prepared.ts";

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
  const row = key.subject
    ? await similarWithSubject(q).get({ ...key, since, subjectType: key.subject.type, subjectId: key.subject.id })
    : await similarOfTemplate(q).get({ ...key, since });
  return row?.n ?? 0;
}

const sameTemplateSince = () =>
  and(
    eq(notifications.recipientId, sql.placeholder("recipientId")),
    eq(notifications.template, sql.placeholder("template")),
    gt(notifications.createdAt, sql.placeholder("since")),
  );

const similarOfTemplate = prepared((q) => q.select({ n: count() }).from(notifications).where(sameTemplateSince()).prepare());

const similarWithSubject = prepared((q) =>
  q
    .select({ n: count() })
    .from(notifications)
    .where(
      and(
        sameTemplateSince(),
        eq(notifications.subjectType, sql.placeholder("subjectType")),
        eq(notifications.subjectId, sql.placeholder("subjectId")),
      ),
    )
    .prepare(),
);
