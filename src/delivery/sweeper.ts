/**
 * The sweeper returns expired leases: deliveries whose worker died or hung. Each tick is one transaction and
 * idempotent (a lease is swept once, fenced by its token), so several processes may sweep the same database.
 */
import type { Channel } from "../channels/types.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { HeraldMetrics } from "../observability/herald-metrics.ts";
import { type AttemptRecord, findExpiredLeases, recordAttempts } from "./delivery-queue.repo.ts";
import type { DeliveryWakeups } from "./delivery-wakeups.ts";
import { type AmbiguousPolicy, afterLeaseExpired } from "./transitions.rules.ts";

/** Most leases one tick handles; a backlog beyond it is finished by the next ticks. */
export const SWEEP_LIMIT = 1000;

/** What one sweep did. */
export interface SweepResult {
  requeued: number;
  failed: number;
  /** Ambiguous sends held as `unknown` for an operator, per channel. */
  held: Record<Channel, number>;
  /** Ambiguous sends queued again (they may be duplicates). */
  resent: number;
}

/** What the sweeper needs. */
export interface SweepContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: HeraldMetrics;
  /** Told about the deliveries a sweep sends back to the queue, so the workers take them at once. */
  wakeups: DeliveryWakeups;
  policy: Record<Channel, AmbiguousPolicy>;
  providerNames: Record<Channel, string>;
}

/** One sweep: every lease expired before now gets its transition and an attempt-log row explaining it. */
export async function sweepExpiredLeases(ctx: SweepContext): Promise<SweepResult> {
  const now = ctx.clock.now();
  const records = await ctx.db.write(async (tx) => {
    const expired = await findExpiredLeases(tx, now, SWEEP_LIMIT);
    const out: AttemptRecord[] = expired.map((lease) => {
      const transition = afterLeaseExpired(lease, ctx.policy, now);
      return {
        delivery: lease,
        transition,
        provider: ctx.providerNames[lease.channel],
        providerMessageId: null,
        status: lease.sendStarted ? "ambiguous" : "lease-expired",
        errorCode: lease.sendStarted ? "ambiguous-send" : "lease-expired",
        errorMessage: lease.sendStarted
          ? "the lease expired after the send started: the provider may or may not have accepted the message"
          : "the lease expired before the send started",
        durationMs: 0,
        costUsd: 0,
      };
    });
    if (out.length > 0) await recordAttempts(tx, out, now);
    return out;
  });

  const result: SweepResult = { requeued: 0, failed: 0, held: { email: 0, sms: 0 }, resent: 0 };
  const requeuedAt = new Map<Channel, number>();
  for (const r of records) {
    const ambiguous = r.status === "ambiguous";
    const channel = r.delivery.channel;
    const outcome =
      r.transition.status === "unknown" ? "unknown" : r.transition.status === "failed" ? "failed" : "retried";
    ctx.metrics.deliveries.inc({ channel, outcome, reason: r.status }); // reason: ambiguous | lease-expired
    if (r.transition.status === "unknown") {
      result.held[r.delivery.channel]++;
      ctx.logger.warn("ambiguous send held as unknown for an operator", {
        alert: "delivery-unknown",
        deliveryId: r.delivery.id,
        channel: r.delivery.channel,
      });
    } else if (r.transition.status === "failed") {
      result.failed++;
      ctx.logger.warn("lease expired on the last attempt; delivery failed", {
        deliveryId: r.delivery.id,
        channel: r.delivery.channel,
      });
    } else {
      result.requeued++;
      if (ambiguous) result.resent++;
      const dueAt = r.transition.status === "queued" ? r.transition.runAt : now;
      requeuedAt.set(channel, Math.min(requeuedAt.get(channel) ?? dueAt, dueAt));
    }
  }
  for (const [channel, dueAt] of requeuedAt) ctx.wakeups.notify(channel, dueAt);
  return result;
}
