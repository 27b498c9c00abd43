/**
 * The facts the loop guard and the suppression list need for one new notification, in ONE read: each libSQL
 * statement costs a fresh prepare (~100 µs), and this runs on every create (`bun scripts/bench-api.ts`).
 */
import { sql } from "drizzle-orm";
import { notifications, suppressions } from "../../../db/schema.ts";
import type { Queryable } from "../../db/database.ts";
import { normalizeContact } from "../suppressions/suppressions.repo.ts";

/** What makes two notifications "the same" for the loop guard. */
export interface LoopKey {
  recipientId: string;
  template: string;
  /** The notification's subject; null counts every notification of the template. */
  subject: { type: string; id: string } | null;
}

/** What {@link readGuardFacts} answers. */
export interface GuardFacts {
  /** Notifications like the new one created after `since`. */
  similar: number;
  suppressed: { email: boolean; sms: boolean };
}

/**
 * Counts notifications like `key` created after `since` (a range of `notifications_loop_idx`: recipient, template,
 * created_at, so the cost grows with that recipient's notifications in the window only) and looks the contacts up
 * on the suppression list (its primary key).
 */
export async function readGuardFacts(
  q: Queryable,
  key: LoopKey,
  since: number,
  contacts: { email: string | null; phone: string | null },
): Promise<GuardFacts> {
  const n = notifications;
  const subject = key.subject
    ? sql` AND ${n.subjectType} = ${key.subject.type} AND ${n.subjectId} = ${key.subject.id}`
    : sql``;
  const suppressed = (channel: "email" | "sms", contact: string | null) =>
    contact
      ? sql`EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.channel} = ${channel} AND ${suppressions.contact} = ${normalizeContact(channel, contact)})`
      : sql`0`;
  const row = await q.get<{ similar: number; email: number; sms: number }>(sql`
    SELECT
      (SELECT count(*) FROM ${n} WHERE ${n.recipientId} = ${key.recipientId} AND ${n.template} = ${key.template}
        AND ${n.createdAt} > ${sql.raw(String(Math.trunc(since)))}${subject}) AS similar,
      ${suppressed("email", contacts.email)} AS email,
      ${suppressed("sms", contacts.phone)} AS sms`);
  return { similar: Number(row.similar), suppressed: { email: Boolean(row.email), sms: Boolean(row.sms) } };
}
