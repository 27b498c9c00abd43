/**
 * The delivery queue's backlog per channel, one read shared by `GET /metrics`, the alert rules and
 * `herald status`, so the three always agree.
 */
import { sql } from "drizzle-orm";
import type { Channel } from "../channels/types.ts";
import type { Deps } from "../deps.ts";

/** Per channel: due queued deliveries, how long the oldest has waited (ms), and leased and unknown ones. */
export type ChannelBacklog = Record<
  Channel,
  { due: number; oldestDueAgeMs: number; leased: number; unknown: number }
>;

/**
 * Most rows a backlog count reads per channel and status. A count of every queued row is as slow as the backlog
 * is long (an index scan of 60,000 entries held the thread 80 ms in the mixed benchmark); the gauges and alerts
 * only need to know that the backlog is large (alert thresholds are 500 and 1,000), so counts stop here and read
 * as "at least" this many.
 */
export const BACKLOG_COUNT_CAP = 10_000;

/**
 * The backlog at `now`, bounded: each count reads at most {@link BACKLOG_COUNT_CAP} index entries, and the oldest
 * due delivery is one index seek per priority (the partial claim index is ordered by channel, priority, run_at).
 * Age is measured from `run_at`: when the delivery became due (creation, the end of a deferral, or its retry
 * time). Leased and unknown deliveries are counted through their own partial index on (status, channel), so a
 * count reads only its channel's rows: left to itself the planner took the SMS-spend index for `channel = 'sms'`
 * and read every SMS ever sent (20 ms of the thread at 1M deliveries, on every /health/ready, admin overview and
 * metrics scrape), and the (status, id) index read the other channel's pile of unknowns too. The queries repeat
 * the index's own condition: SQLite cannot tell that `status = 'leased'` implies `status IN (…)`.
 */
export async function channelBacklog(
  deps: Pick<Deps, "db">,
  now: number,
  cap = BACKLOG_COUNT_CAP,
): Promise<ChannelBacklog> {
  const read = async (channel: Channel) => {
    const [row] = await deps.db.read.all<{
      depth: number;
      oldest: number | null;
      leased: number;
      unknown: number;
    }>(sql`
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM deliveries INDEXED BY deliveries_claim_idx
          WHERE status = 'queued' AND channel = ${channel} AND run_at <= ${now} LIMIT ${cap})) AS depth,
        (SELECT min(run_at) FROM (
          ${sql.join(
            [0, 1, 2, 3].map(
              (rank) => sql`SELECT * FROM (SELECT run_at FROM deliveries INDEXED BY deliveries_claim_idx
                WHERE status = 'queued' AND channel = ${channel} AND priority_rank = ${rank} ORDER BY run_at LIMIT 1)`,
            ),
            sql` UNION ALL `,
          )}) WHERE run_at <= ${now}) AS oldest,
        (SELECT count(*) FROM (SELECT 1 FROM deliveries INDEXED BY deliveries_held_idx
          WHERE status IN ('leased', 'unknown') AND status = 'leased' AND channel = ${channel} LIMIT ${cap})) AS leased,
        (SELECT count(*) FROM (SELECT 1 FROM deliveries INDEXED BY deliveries_held_idx
          WHERE status IN ('leased', 'unknown') AND status = 'unknown' AND channel = ${channel} LIMIT ${cap})) AS unknown`);
    return {
      due: Number(row?.depth ?? 0),
      oldestDueAgeMs: row?.oldest == null ? 0 : Math.max(0, now - Number(row.oldest)),
      leased: Number(row?.leased ?? 0),
      unknown: Number(row?.unknown ?? 0),
    };
  };
  const [email, sms] = await Promise.all([read("email"), read("sms")]);
  return { email, sms };
}
