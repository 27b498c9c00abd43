/**
 * The suppression list: contacts Herald must not send to. Keys are normalised contacts, so a bounce reported
 * for `Ann@Example.com` also stops `ann@example.com`.
 */
import { and, desc, eq, or, sql } from "drizzle-orm";
import { deliveries, suppressions } from "../../../db/schema.ts";
import type { Channel } from "../../channels/types.ts";
import { prepared } from "../../db/prepared.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import { normalizeContact } from "./contacts.rules.ts";

/** Prepared once per connection: every create asks it. */
const suppressedContacts = prepared((q) =>
  q
    .select({ channel: suppressions.channel })
    .from(suppressions)
    .where(
      or(
        and(eq(suppressions.channel, "email"), eq(suppressions.contact, sql.placeholder("email"))),
        and(eq(suppressions.channel, "sms"), eq(suppressions.contact, sql.placeholder("phone"))),
      ),
    )
    .prepare(),
);

/** Which of a recipient's contacts are suppressed, in one query. */
export async function suppressedChannels(
  q: Queryable,
  contacts: { email: string | null; phone: string | null },
): Promise<Record<Channel, boolean>> {
  if (!contacts.email && !contacts.phone) return { email: false, sms: false };
  // A missing contact binds NULL, which equals nothing: one statement serves every combination.
  const rows = await suppressedContacts(q).all({
    email: contacts.email ? normalizeContact("email", contacts.email) : null,
    phone: contacts.phone ? normalizeContact("sms", contacts.phone) : null,
  });
  return { email: rows.some((r) => r.channel === "email"), sms: rows.some((r) => r.channel === "sms") };
}

/** A suppression list row. */
export type SuppressionRow = typeof suppressions.$inferSelect;

/** Adds `row` unless its contact is already suppressed on that channel (the first reason is kept); true if added. */
export async function insertSuppression(tx: Tx, row: SuppressionRow): Promise<boolean> {
  const added = await tx
    .insert(suppressions)
    .values(row)
    .onConflictDoNothing()
    .returning({ contact: suppressions.contact });
  return added.length > 0;
}

/**
 * Skips (reason `suppressed`) every delivery still queued for `contact` on `channel`, so nothing more goes to
 * it. Destinations are stored as the recipient gave them, so emails compare case-insensitively. Returns how
 * many were skipped.
 */
export async function skipQueuedFor(tx: Tx, channel: Channel, contact: string, now: number): Promise<number> {
  const destination =
    channel === "email" ? sql`lower(trim(${deliveries.destination}))` : sql`${deliveries.destination}`;
  const skipped = await tx
    .update(deliveries)
    .set({ status: "skipped", reason: "suppressed", updatedAt: now })
    .where(and(eq(deliveries.status, "queued"), eq(deliveries.channel, channel), eq(destination, contact)))
    .returning({ id: deliveries.id });
  return skipped.length;
}

/** One suppression, if the contact (normalised) is on the list for `channel`. */
export async function findSuppression(
  q: Queryable,
  channel: Channel,
  contact: string,
): Promise<SuppressionRow | undefined> {
  const [row] = await q
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.contact, contact)))
    .limit(1);
  return row;
}

/** Removes a suppression; true if it existed. */
export async function deleteSuppression(tx: Tx, channel: Channel, contact: string): Promise<boolean> {
  const removed = await tx
    .delete(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.contact, contact)))
    .returning({ contact: suppressions.contact });
  return removed.length > 0;
}

/** Where a page of suppressions starts: just after this row, in newest-first order. */
export interface SuppressionPosition {
  createdAt: number;
  channel: Channel;
  contact: string;
}

/** Suppressions newest first (ties by channel and contact), filtered, `limit` rows after `after`. */
export async function selectSuppressions(
  q: Queryable,
  filter: { channel?: Channel; contact?: string; after?: SuppressionPosition; limit: number },
): Promise<SuppressionRow[]> {
  const where = [
    filter.channel ? eq(suppressions.channel, filter.channel) : undefined,
    filter.contact ? eq(suppressions.contact, filter.contact) : undefined,
    filter.after
      ? sql`(${suppressions.createdAt}, ${suppressions.channel}, ${suppressions.contact}) < (${filter.after.createdAt}, ${filter.after.channel}, ${filter.after.contact})`
      : undefined,
  ];
  return q
    .select()
    .from(suppressions)
    .where(and(...where))
    .orderBy(desc(suppressions.createdAt), desc(suppressions.channel), desc(suppressions.contact))
    .limit(filter.limit);
}
