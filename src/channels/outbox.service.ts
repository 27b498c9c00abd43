/** Reading the outbox (`GET /v1/outbox`): what the development providers captured, newest first. */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { outboxMessages } from "../../db/schema.ts";
import { decodeCursor, encodeCursor } from "../db/cursor.ts";
import type { Deps } from "../deps.ts";
import type { Channel } from "./types.ts";

/** A captured message. */
export type OutboxMessage = typeof outboxMessages.$inferSelect;

/** Filters for {@link listOutbox}. */
export interface OutboxFilter {
  channel?: Channel;
  recipientId?: string;
  /** The exact address or phone number it went to. */
  to?: string;
  cursor?: string;
  limit: number;
}

/** Captured messages newest first, with cursor pagination. */
export async function listOutbox(
  deps: Pick<Deps, "db">,
  f: OutboxFilter,
): Promise<{ items: OutboxMessage[]; nextCursor: string | null }> {
  const where: SQL[] = [];
  if (f.channel) where.push(eq(outboxMessages.channel, f.channel));
  if (f.recipientId) where.push(eq(outboxMessages.recipientId, f.recipientId));
  if (f.to) where.push(eq(outboxMessages.to, f.to));
  if (f.cursor) where.push(lt(outboxMessages.id, decodeCursor(f.cursor)));
  const rows = await deps.db.read
    .select()
    .from(outboxMessages)
    .where(and(...where))
    .orderBy(desc(outboxMessages.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > f.limit && last ? encodeCursor(last.id) : null };
}
