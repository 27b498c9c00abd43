/**
 * The job table's statements (src/README.md "The job table's invariants"). Every transition after the claim is fenced by the
 * lease token, so a worker that lost its lease (it hung past expiry and the sweeper gave the row to someone
 * else) changes nothing. All statements are set-based: a batch of deliveries costs a handful of statements,
 * which is where the engine's throughput comes from.
 */
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { type DeliveryPayload, deliveries } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import { CHANNELS } from "../channels/types.ts";
import { prepared } from "../db/prepared.ts";
import type { Queryable, Tx } from "../db/queryable.ts";
import { newId } from "../ids.ts";
import type { Transition } from "./transitions.rules.ts";

/** A delivery as its worker holds it between claim and result. */
export interface LeasedDelivery {
  id: string;
  notificationId: string;
  recipientId: string;
  channel: Channel;
  /** Attempts including this one (counted at claim). */
  attempts: number;
  maxAttempts: number;
  destination: string | null;
  payload: DeliveryPayload | null;
  leaseToken: string;
  /**
   * When the delivery last became due, `max(created_at, run_at)`: its creation, the end of a deferral, or its
   * retry time. The delivery-latency histogram measures from here.
   */
  dueAt: number;
}

/** One attempt's result as it is recorded: the delivery's new state and its attempt-log row. */
export interface AttemptRecord {
  delivery: Pick<LeasedDelivery, "id" | "notificationId" | "channel" | "attempts" | "leaseToken">;
  transition: Transition;
  provider: string;
  providerMessageId: string | null;
  /** Attempt-log status: `sent`, `retry`, `failed`, `paused`, `lease-expired`, `ambiguous`. */
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
  costUsd: number;
}

/**
 * Claims up to `limit` due deliveries of `channel`, most urgent first, in one statement: `attempts` grows
 * here (so a delivery that crashes its process still runs out of attempts), the lease runs from `now`, and
 * every row gets `token`, fresh for this claim.
 */
export async function claimDue(
  tx: Tx,
  claim: { channel: Channel; limit: number; now: number; leaseMs: number; owner: string; token: string },
): Promise<LeasedDelivery[]> {
  const { channel, limit, now, leaseMs, owner, token } = claim;
  const rows = await claimStatement(tx).all({ channel, limit, now, leaseUntil: now + leaseMs, owner, token });
  return rows.map((r) => ({ ...r, leaseToken: token }));
}

// The job table's hot statements, prepared once per connection (src/db/prepared.ts).
const claimStatement = prepared((q) =>
  q
    .update(deliveries)
    .set({
      status: "leased",
      attempts: sql`${deliveries.attempts} + 1`,
      // Update values take SQL, not bare placeholders.
      leaseOwner: sql`${sql.placeholder("owner")}`,
      leaseToken: sql`${sql.placeholder("token")}`,
      leaseUntil: sql`${sql.placeholder("leaseUntil")}`,
      sendStartedAt: null,
      updatedAt: sql`${sql.placeholder("now")}`,
    })
    .where(
      inArray(
        deliveries.id,
        q
          .select({ id: deliveries.id })
          .from(deliveries)
          .where(
            and(
              eq(deliveries.channel, sql.placeholder("channel")),
              eq(deliveries.status, "queued"),
              lte(deliveries.runAt, sql.placeholder("now")),
            ),
          )
          .orderBy(asc(deliveries.priorityRank), asc(deliveries.runAt), asc(deliveries.id))
          .limit(sql.placeholder("limit")),
      ),
    )
    .returning({
      id: deliveries.id,
      notificationId: deliveries.notificationId,
      recipientId: deliveries.recipientId,
      channel: deliveries.channel,
      attempts: deliveries.attempts,
      maxAttempts: deliveries.maxAttempts,
      destination: deliveries.destination,
      payload: deliveries.payload,
      dueAt: sql<number>`max(${deliveries.createdAt}, ${deliveries.runAt})`,
    })
    .prepare(),
);

const dueProbe = prepared((q) =>
  q
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.channel, sql.placeholder("channel")),
        eq(deliveries.status, "queued"),
        lte(deliveries.runAt, sql.placeholder("now")),
      ),
    )
    .limit(1)
    .prepare(),
);

/** True when `channel` has a due queued delivery. A cheap read idle workers poll instead of claiming. */
export async function hasDue(q: Queryable, channel: Channel, now: number): Promise<boolean> {
  return (await dueProbe(q).get({ channel, now })) !== undefined;
}

/** Deliveries whose id is in the JSON array parameter `ids` (one statement text whatever the count). */
const idIn = () => sql`${deliveries.id} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`;

const sendStartedStatement = prepared((q) =>
  q
    .update(deliveries)
    .set({ sendStartedAt: sql`${sql.placeholder("now")}` })
    .where(and(idIn(), eq(deliveries.leaseToken, sql.placeholder("token")), eq(deliveries.status, "leased")))
    .returning({ id: deliveries.id })
    .prepare(),
);

/**
 * Records that the provider call is about to start, for the deliveries of one claim still held under `token`.
 * Returns the ids it could mark: only those may be sent.
 */
export async function markSendStarted(
  tx: Tx,
  token: string,
  ids: readonly string[],
  now: number,
): Promise<Set<string>> {
  const rows = await sendStartedStatement(tx).all({ now, token, ids: JSON.stringify(ids) });
  return new Set(rows.map((r) => r.id));
}

/**
 * Gives leased deliveries back to the queue untouched (a stopping worker that had not started sending them),
 * refunding the attempt their claim counted.
 */
export async function releaseLeases(
  tx: Tx,
  token: string,
  ids: readonly string[],
  now: number,
): Promise<number> {
  const rows = await tx.all<{ id: string }>(sql`
    UPDATE deliveries
    SET status = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_token = NULL, lease_until = NULL,
        send_started_at = NULL, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND lease_token = ${token} AND status = 'leased'
    RETURNING id`);
  return rows.length;
}

/**
 * Applies attempt results in one transaction: each delivery's new state (fenced by its lease token), one
 * attempt-log row per result (a sent one's cost also lands on the delivery), and the notification's
 * `email_sent`/`sms_sent` flags for those sent. Returns the ids whose state changed; the others had lost their
 * lease, and their attempt row says so (`lease-lost`) so a resulting duplicate can be explained.
 *
 * The rows travel as one JSON parameter read with `json_each`: the statement text stays the same whatever the
 * batch size, so it is cheap to prepare, and no query builder walks thousands of parameters. The unary `+` on
 * `status` keeps the planner from driving the join from the status index (a scan of every leased row per
 * result); the JSON rows drive it, each finding its delivery by primary key.
 */
export async function recordAttempts(
  tx: Tx,
  records: readonly AttemptRecord[],
  now: number,
): Promise<Set<string>> {
  const changes = records.map((r) => {
    const t = r.transition;
    return [
      r.delivery.id,
      r.delivery.leaseToken,
      t.status,
      t.status === "queued" ? t.runAt : null,
      t.status === "queued" && t.refundAttempt ? 1 : 0,
      r.providerMessageId,
      lastError(r),
      t.status === "sent" ? r.costUsd : null,
    ];
  });
  const updated = await tx.all<{ id: string }>(sql`
    UPDATE deliveries SET
      status = v.status,
      run_at = coalesce(v.run_at, deliveries.run_at),
      attempts = deliveries.attempts - v.refund,
      provider_message_id = coalesce(v.provider_message_id, deliveries.provider_message_id),
      last_error = v.last_error,
      -- A sent SMS's cost replaces the estimate made at creation (the SMS budget sums this column).
      cost_usd = coalesce(v.cost_usd, deliveries.cost_usd),
      sent_at = CASE WHEN v.status = 'sent' THEN ${now} ELSE deliveries.sent_at END,
      send_started_at = CASE WHEN v.status = 'queued' THEN NULL ELSE deliveries.send_started_at END,
      lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = ${now}
    FROM (
      SELECT value ->> 0 AS id, value ->> 1 AS token, value ->> 2 AS status, value ->> 3 AS run_at,
             value ->> 4 AS refund, value ->> 5 AS provider_message_id, value ->> 6 AS last_error,
             value ->> 7 AS cost_usd
      FROM json_each(${JSON.stringify(changes)})
    ) AS v
    WHERE deliveries.id = v.id AND deliveries.lease_token = v.token AND +deliveries.status = 'leased'
    RETURNING deliveries.id AS id`);
  const owned = new Set(updated.map((r) => r.id));

  const attempts = records.map((r) => {
    const kept = owned.has(r.delivery.id);
    return [
      newId(now),
      r.delivery.id,
      r.delivery.attempts,
      r.provider,
      r.providerMessageId,
      r.status,
      kept ? r.errorCode : "lease-lost",
      kept
        ? r.errorMessage
        : `${r.errorMessage ?? r.status}; the lease was lost before the result was recorded`,
      Math.round(r.durationMs),
      r.costUsd,
    ];
  });
  await tx.run(sql`
    INSERT INTO delivery_attempts
      (id, delivery_id, attempt, provider, provider_message_id, status, error_code, error_message, duration_ms, cost_usd, created_at)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
           value ->> 8, value ->> 9, ${now}
    FROM json_each(${JSON.stringify(attempts)})`);

  for (const channel of CHANNELS) {
    const sent = records
      .filter(
        (r) => r.delivery.channel === channel && r.transition.status === "sent" && owned.has(r.delivery.id),
      )
      .map((r) => r.delivery.notificationId);
    if (sent.length === 0) continue;
    const column = channel === "email" ? sql.raw("email_sent") : sql.raw("sms_sent");
    await tx.run(
      sql`UPDATE notifications SET ${column} = 1 WHERE id IN (SELECT value FROM json_each(${JSON.stringify(sent)}))`,
    );
  }
  return owned;
}

/** The `last_error` a result leaves on its delivery (null once sent). */
function lastError(r: AttemptRecord): string | null {
  if (r.transition.status === "sent") return null;
  return r.errorCode ? `${r.errorCode}: ${r.errorMessage ?? ""}`.slice(0, 500) : r.errorMessage;
}

/** A lease found expired by the sweeper. */
export interface ExpiredLease {
  id: string;
  notificationId: string;
  channel: Channel;
  attempts: number;
  maxAttempts: number;
  leaseToken: string;
  leaseOwner: string | null;
  sendStarted: boolean;
}

/** Leased deliveries whose lease ended before `now` (oldest first, at most `limit`). */
export async function findExpiredLeases(tx: Tx, now: number, limit: number): Promise<ExpiredLease[]> {
  const rows = await tx.all<{
    id: string;
    notification_id: string;
    channel: Channel;
    attempts: number;
    max_attempts: number;
    lease_token: string;
    lease_owner: string | null;
    send_started_at: number | null;
  }>(sql`
    SELECT id, notification_id, channel, attempts, max_attempts, lease_token, lease_owner, send_started_at
    FROM deliveries WHERE status = 'leased' AND lease_until < ${now}
    ORDER BY lease_until LIMIT ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    notificationId: r.notification_id,
    channel: r.channel,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    leaseToken: r.lease_token,
    leaseOwner: r.lease_owner,
    sendStarted: r.send_started_at !== null,
  }));
}
