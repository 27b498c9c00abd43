/**
 * The `send_grants` table: the providers' rate budget, shared through the database by every process (the rules
 * are in send-budget.rules.ts). Only claims touch it, inside the claim's transaction: one indexed read of the
 * channel's last second, one insert per claim batch and the deletion of grants that no longer count, so the
 * budget costs a few statements per batch, never per send.
 */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { sendGrants } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import { prepared } from "../db/prepared.ts";
import type { Tx } from "../db/queryable.ts";
import { type GrantUse, WINDOW_MS } from "./send-budget.rules.ts";

const recentStatement = prepared((q) =>
  q
    .select({ endsAt: sendGrants.endsAt, calls: sendGrants.calls })
    .from(sendGrants)
    .where(
      and(
        eq(sendGrants.channel, sql.placeholder("channel")),
        gt(sendGrants.endsAt, sql.placeholder("after")),
      ),
    )
    .prepare(),
);

const insertStatement = prepared((q) =>
  q
    .insert(sendGrants)
    .values({
      channel: sql.placeholder("channel"),
      startsAt: sql.placeholder("startsAt"),
      endsAt: sql.placeholder("endsAt"),
      calls: sql.placeholder("calls"),
    })
    .prepare(),
);

const forgetStatement = prepared((q) =>
  q
    .delete(sendGrants)
    .where(
      and(
        eq(sendGrants.channel, sql.placeholder("channel")),
        lte(sendGrants.endsAt, sql.placeholder("before")),
      ),
    )
    .prepare(),
);

/**
 * The grants of `channel` that still count at `now` or later (those ending within the last window), after
 * deleting those that no longer count for anyone (every process's clock is the same machine clock, or close to
 * it: a grant is kept a further window to spare a process whose clock lags).
 */
export async function recentGrants(tx: Tx, channel: Channel, now: number): Promise<GrantUse[]> {
  await forgetStatement(tx).run({ channel, before: now - 2 * WINDOW_MS });
  return recentStatement(tx).all({ channel, after: now - WINDOW_MS });
}

/** Records a grant: `calls` calls on `channel` start between `startsAt` and `endsAt`. */
export async function recordGrant(
  tx: Tx,
  grant: { channel: Channel; startsAt: number; endsAt: number; calls: number },
): Promise<void> {
  if (grant.calls <= 0) return;
  await insertStatement(tx).run(grant);
}
