/**
 * The `channel_pauses` table: which channel an account-level provider error has paused, until when and why, where
 * every process sees it. The worker that paused writes the row; `herald channels resume`, `POST
 * /v1/channels/{channel}/resume` and the end of the pause delete it. A paused worker reads its own row once a
 * second (one primary-key lookup, only while paused), so a resume from another process takes effect within ~1 s.
 */
import { eq, gt } from "drizzle-orm";
import { channelPauses } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import type { Queryable, Tx } from "../db/queryable.ts";

/** A channel's pause as the operator sees it. */
export interface ChannelPause {
  channel: Channel;
  code: string;
  message: string;
  pausedAt: number;
  until: number;
}

/** Records (or extends) `pause`. */
export async function savePause(tx: Tx, pause: ChannelPause): Promise<void> {
  await tx
    .insert(channelPauses)
    .values(pause)
    .onConflictDoUpdate({
      target: channelPauses.channel,
      set: { code: pause.code, message: pause.message, pausedAt: pause.pausedAt, until: pause.until },
    });
}

/** Ends `channel`'s pause; true if it had one. */
export async function deletePause(tx: Tx, channel: Channel): Promise<boolean> {
  const deleted = await tx
    .delete(channelPauses)
    .where(eq(channelPauses.channel, channel))
    .returning({ channel: channelPauses.channel });
  return deleted.length > 0;
}

/** `channel`'s pause if one is recorded and has not ended by `now`. */
export async function findPause(q: Queryable, channel: Channel, now: number): Promise<ChannelPause | null> {
  const [row] = await q.select().from(channelPauses).where(eq(channelPauses.channel, channel)).limit(1);
  return row && row.until > now ? row : null;
}

/** Every pause that has not ended by `now` (at most one per channel). */
export async function activePauses(q: Queryable, now: number): Promise<ChannelPause[]> {
  return q.select().from(channelPauses).where(gt(channelPauses.until, now)).orderBy(channelPauses.channel);
}
