import { eq, sql } from "drizzle-orm";
import { inboxCounters } from "../../../db/schema.ts";
import { prepared } from "../../db/prepared.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import type { InboxChange } from "./inbox.events.ts";

/**
 * Adds `delta` to a recipient's unread count and bumps its version, inside the caller's transaction, so the
 * count can never drift from the notifications it counts. Publish the returned change after commit.
 */
export async function adjustUnread(tx: Tx, recipientId: string, delta: number): Promise<InboxChange> {
  const row = await upsertCounter(tx).get({ recipientId, initial: Math.max(0, delta), delta });
  // biome-ignore lint/style/noNonNullAssertion: an upsert always returns its row
  return row!;
}

/** Prepared once per connection: every create and every read mark runs it. */
const upsertCounter = prepared((q) =>
  q
    .insert(inboxCounters)
    .values({ recipientId: sql.placeholder("recipientId"), unread: sql.placeholder("initial"), version: 1 })
    .onConflictDoUpdate({
      target: inboxCounters.recipientId,
      set: {
        unread: sql`max(0, ${inboxCounters.unread} + ${sql.placeholder("delta")})`,
        version: sql`${inboxCounters.version} + 1`,
      },
    })
    .returning()
    .prepare(),
);

/** The recipient's unread count and version (zero when they have no inbox yet). */
export async function readUnread(q: Queryable, recipientId: string): Promise<InboxChange> {
  const [row] = await q
    .select()
    .from(inboxCounters)
    .where(eq(inboxCounters.recipientId, recipientId))
    .limit(1);
  return row ?? { recipientId, unread: 0, version: 0 };
}
