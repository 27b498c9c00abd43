/**
 * What the guards read from the database for one notification, in one statement: how many similar
 * notifications the recipient got inside the loop window, and which of their contacts are suppressed.
 * One prepared statement instead of two: on the create path each statement costs more in the driver and
 * drizzle than SQLite spends on these index lookups.
 */
import { and, eq, gt, sql } from "drizzle-orm";
import { notifications, recipients, suppressions } from "../../../db/schema.ts";
import { prepared } from "../../db/prepared.ts";
import type { Queryable } from "../../db/queryable.ts";
import { normalizeContact } from "../suppressions/contacts.rules.ts";

/** What makes two notifications "the same" for the loop guard. */
export interface LoopKey {
  recipientId: string;
  template: string;
  /** The notification's subject; null counts every notification of the template. */
  subject: { type: string; id: string } | null;
}

/** The guard facts of one notification. */
export interface GuardFacts {
  /** Committed notifications like this one created after the window start. */
  similar: number;
  suppressed: { email: boolean; sms: boolean };
}

/**
 * Reads the guard facts for `key` since `since` and the recipient's `contacts`. The count is a range of
 * `notifications_loop_idx` (recipient, template, created_at), so it grows with that recipient's notifications
 * in the window only; the suppressions are primary-key probes.
 */
export async function readGuardFacts(
  q: Queryable,
  key: LoopKey,
  since: number,
  contacts: { email: string | null; phone: string | null },
): Promise<GuardFacts> {
  const values = {
    recipientId: key.recipientId,
    template: key.template,
    since,
    // A missing contact binds NULL, which equals nothing.
    email: contacts.email ? normalizeContact("email", contacts.email) : null,
    phone: contacts.phone ? normalizeContact("sms", contacts.phone) : null,
  };
  const row = key.subject
    ? await factsWithSubject(q).get({ ...values, subjectType: key.subject.type, subjectId: key.subject.id })
    : await factsOfTemplate(q).get(values);
  return {
    similar: row?.similar ?? 0,
    suppressed: { email: row?.emailSuppressed === 1, sms: row?.smsSuppressed === 1 },
  };
}

const suppressedContact = (channel: "email" | "sms", placeholder: "email" | "phone") =>
  sql<number>`EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.channel} = ${channel} AND ${suppressions.contact} = ${sql.placeholder(placeholder)})`;

/** The facts as columns of the recipient's row (one row, whatever the counts). */
const facts = (q: Queryable, similar: ReturnType<typeof and>) =>
  q
    .select({
      similar: sql<number>`(SELECT count(*) FROM ${notifications} WHERE ${similar})`,
      emailSuppressed: suppressedContact("email", "email"),
      smsSuppressed: suppressedContact("sms", "phone"),
    })
    .from(recipients)
    .where(eq(recipients.id, sql.placeholder("recipientId")))
    .prepare();

const sameTemplateSince = () =>
  and(
    eq(notifications.recipientId, sql.placeholder("recipientId")),
    eq(notifications.template, sql.placeholder("template")),
    gt(notifications.createdAt, sql.placeholder("since")),
  );

const factsOfTemplate = prepared((q) => facts(q, sameTemplateSince()));
const factsWithSubject = prepared((q) =>
  facts(
    q,
    and(
      sameTemplateSince(),
      eq(notifications.subjectType, sql.placeholder("subjectType")),
      eq(notifications.subjectId, sql.placeholder("subjectId")),
    ),
  ),
);
