/**
 * The delivery queue's backlog per channel, one read shared by `GET /metrics`, the alert rules and
 * `herald status`, so the three always agree.
 */
import { sql } from "drizzle-orm";
import type { Channel } from "../channels/types.ts";
import type { Deps } from "../deps.ts";

/** Per channel: due queued deliveries, how long the oldest has waited (ms), and leased and unknown ones. */
export type ChannelBacklog = Record<Channel, { due: number; oldestDueAgeMs: number; leased: number; unknown: number }>;

/**
 * The backlog at `now`, in two queries. Due queued deliveries read only
 * the partial claim index (`status = 'queued'`, ordered by channel, priority, run_at), so they cost one index
 * range per channel and never touch the table. Age is measured from `run_at`: when the delivery became due
 * (creation, the end of a deferral, or its retry time). Leased and unknown ones use the (status, channel) index.
 */
export async function channelBacklog(deps: Pick<Deps, "db">, now: number): Promise<ChannelBacklog> {
  const [queued, held] = await Promise.all([
    deps.db.read.all<{ channel: Channel; depth: number; oldest: number | null }>(sql`
      SELECT channel, count(*) AS depth, min(run_at) AS oldest FROM deliveries INDEXED BY deliveries_claim_idx
      WHERE status = 'queued' AND run_at <= ${now}
      GROUP BY channel`),
    deps.db.read.all<{ status: "leased" | "unknown"; channel: Channel; n: number }>(sql`
      SELECT status, channel, count(*) AS n FROM deliveries
      WHERE status IN ('leased', 'unknown')
      GROUP BY status, channel`),
  ]);
  const count = (status: string, channel: Channel) =>
    Number(held.find((r) => r.status === status && r.channel === channel)?.n ?? 0);
  const backlog = (channel: Channel) => {
    const row = queued.find((r) => r.channel === channel);
    return {
      due: Number(row?.depth ?? 0),
      oldestDueAgeMs: row?.oldest == null ? 0 : Math.max(0, now - Number(row.oldest)),
      leased: count("leased", channel),
      unknown: count("unknown", channel),
    };
  };
  return { email: backlog("email"), sms: backlog("sms") };
}

