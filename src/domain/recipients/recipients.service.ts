import { and, asc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import {
  deliveries,
  inboxCounters,
  notifications,
  outboxMessages,
  preferences,
  recipients,
} from "../../../db/schema.ts";
import type { Clock } from "../../clock.ts";
import type { Database } from "../../db/database.ts";
import { prepared } from "../../db/prepared.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import { AppError, notFound } from "../../errors.ts";
import type { InboxEvents } from "../inbox/inbox.events.ts";
import { canonicalTimeZone } from "../notifications/local-time.rules.ts";
import { normalizeContact } from "../suppressions/contacts.rules.ts";
import { decodeRecipientCursor, encodeRecipientCursor } from "./recipients.rules.ts";

export type RecipientKind = "technician" | "customer" | "staff";

/** A recipient as the API shows it. */
export type Recipient = Omit<typeof recipients.$inferSelect, "erasedAt">;

/**
 * Fields a portal may set; absent fields keep their value, `null` clears an optional one. `kind` may be left
 * out only for a recipient that exists: a new one must say what it is.
 */
export interface RecipientInput {
  kind?: RecipientKind;
  name?: string | null;
  email?: string | null;
  emailVerified?: boolean;
  phone?: string | null;
  phoneVerified?: boolean;
  timezone?: string;
  locale?: string;
}

interface Deps {
  db: Database;
  clock: Clock;
}

const strip = ({ erasedAt: _erased, ...rest }: typeof recipients.$inferSelect): Recipient => rest;

/** Loads a live (not erased) recipient on `q`, or null. */
export async function findRecipient(q: Queryable, id: string): Promise<Recipient | null> {
  const [row] = await q
    .select()
    .from(recipients)
    .where(and(eq(recipients.id, id), isNull(recipients.erasedAt)))
    .limit(1);
  return row ? strip(row) : null;
}

/** Loads a live recipient or throws not-found. */
export async function getRecipient({ db }: Deps, id: string): Promise<Recipient> {
  const recipient = await findRecipient(db.read, id);
  if (!recipient) throw notFound("Recipient", id);
  return recipient;
}

/**
 * Live recipients whose email address or phone number is `contact`, compared in the normalised form suppressions
 * use (contacts.rules.ts), in id order, at most `limit`. Several recipients may share a contact (a household, a
 * shared inbox). Each side is a probe of its own index (`recipients_email_idx`, `recipients_phone_idx`).
 */
export async function findRecipientsByContact(
  { db }: Pick<Deps, "db">,
  channel: "email" | "sms",
  contact: string,
  limit: number,
): Promise<Recipient[]> {
  const normalised = normalizeContact(channel, contact);
  const matches =
    channel === "email"
      ? sql`lower(trim(${recipients.email})) = ${normalised}`
      : eq(recipients.phone, normalised);
  const rows = await db.read
    .select()
    .from(recipients)
    .where(and(matches, isNull(recipients.erasedAt)))
    .orderBy(asc(recipients.id))
    .limit(limit);
  return rows.map(strip);
}

/** One page of recipients, in id order, with the cursor of the next page (null on the last). */
export interface RecipientPage {
  items: Recipient[];
  nextCursor: string | null;
}

/**
 * Live recipients in id order, `limit` at a time after the `cursor` of the previous page: a range of the primary
 * key, so every page costs the same however far the walk has gone.
 */
export async function listRecipients(
  { db }: Pick<Deps, "db">,
  page: { limit: number; cursor?: string },
): Promise<RecipientPage> {
  const after = page.cursor === undefined ? "" : decodeRecipientCursor(page.cursor);
  if (after === null) {
    throw new AppError("validation-failed", "cursor is not valid", {
      errors: [{ path: "cursor", message: "not a cursor from this API" }],
    });
  }
  const rows = await recipientsAfter(db.read).all({ after, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit).map(strip);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeRecipientCursor(last.id) : null };
}

/** Prepared once per connection: the portal walks every recipient with it (a sync job pages through them all). */
const recipientsAfter = prepared((q) =>
  q
    .select()
    .from(recipients)
    .where(and(gt(recipients.id, sql.placeholder("after")), isNull(recipients.erasedAt)))
    .orderBy(asc(recipients.id))
    .limit(sql.placeholder("limit"))
    .prepare(),
);

/**
 * Inserts or merges a recipient inside an open transaction. Changing an address drops its verified flag
 * unless the caller states it again, so a new, unproven address is never treated as verified.
 */
export async function upsertRecipientIn(
  tx: Tx,
  now: number,
  id: string,
  input: RecipientInput,
): Promise<{ recipient: Recipient; created: boolean }> {
  const [existing] = await tx.select().from(recipients).where(eq(recipients.id, id)).limit(1);
  const live = existing && existing.erasedAt === null ? existing : undefined;
  const emailChanged = input.email !== undefined && input.email !== live?.email;
  const phoneChanged = input.phone !== undefined && input.phone !== live?.phone;
  const kind = input.kind ?? live?.kind;
  if (!kind) {
    throw new AppError("validation-failed", `Recipient '${id}' does not exist; creating it needs a kind`, {
      errors: [{ path: "kind", message: "Required to create a recipient" }],
    });
  }
  const row = {
    id,
    kind,
    name: input.name !== undefined ? input.name : (live?.name ?? null),
    email: input.email !== undefined ? input.email : (live?.email ?? null),
    emailVerified: input.emailVerified ?? (emailChanged ? false : (live?.emailVerified ?? false)),
    phone: input.phone !== undefined ? input.phone : (live?.phone ?? null),
    phoneVerified: input.phoneVerified ?? (phoneChanged ? false : (live?.phoneVerified ?? false)),
    // Stored in canonical spelling, so every recipient in a zone shares one cached formatter.
    timezone:
      (input.timezone && canonicalTimeZone(input.timezone)) ?? input.timezone ?? live?.timezone ?? "UTC",
    locale: input.locale ?? live?.locale ?? "en",
    // A new incarnation after an erasure gets a later createdAt than the last one, even within the same
    // millisecond: recipient tokens name the incarnation by it.
    createdAt: live?.createdAt ?? (existing ? Math.max(now, existing.createdAt + 1) : now),
    updatedAt: now,
    erasedAt: null,
  };
  if (existing) await tx.update(recipients).set(row).where(eq(recipients.id, id));
  else await tx.insert(recipients).values(row);
  if (!live) await tx.insert(inboxCounters).values({ recipientId: id }).onConflictDoNothing();
  return { recipient: strip(row), created: !live };
}

/** Creates or updates a recipient by the portal's id. */
export async function upsertRecipient(deps: Deps, id: string, input: RecipientInput) {
  return deps.db.write((tx) => upsertRecipientIn(tx, deps.clock.now(), id, input));
}

/**
 * Erases a recipient: contact data, preferences, inbox content and captured messages go; pending
 * deliveries are cancelled. Notification and delivery rows stay, scrubbed, so aggregate counts survive.
 */
export async function eraseRecipient(deps: Deps & { inboxEvents: InboxEvents }, id: string): Promise<void> {
  const now = deps.clock.now();
  const change = await deps.db.write(async (tx) => {
    const [row] = await tx
      .update(recipients)
      .set({
        name: null,
        email: null,
        phone: null,
        emailVerified: false,
        phoneVerified: false,
        erasedAt: now,
        updatedAt: now,
      })
      .where(and(eq(recipients.id, id), isNull(recipients.erasedAt)))
      .returning({ id: recipients.id });
    if (!row) throw notFound("Recipient", id);
    await tx.delete(preferences).where(eq(preferences.recipientId, id));
    await tx
      .update(notifications)
      .set({
        title: "",
        message: "",
        context: {},
        actionUrl: null,
        subjectId: null,
        erasedAt: now,
        readAt: now,
      })
      .where(eq(notifications.recipientId, id));
    await tx
      .update(deliveries)
      .set({ status: "cancelled", reason: "recipient-erased", leaseToken: null, updatedAt: now })
      .where(and(eq(deliveries.recipientId, id), inArray(deliveries.status, ["queued", "digest"])));
    await tx
      .update(deliveries)
      .set({ destination: null, payload: null, updatedAt: now })
      .where(eq(deliveries.recipientId, id));
    await tx.delete(outboxMessages).where(eq(outboxMessages.recipientId, id));
    const [counter] = await tx
      .update(inboxCounters)
      .set({ unread: 0, version: sql`${inboxCounters.version} + 1` })
      .where(eq(inboxCounters.recipientId, id))
      .returning();
    return counter;
  });
  if (change) deps.inboxEvents.publish(change);
}
