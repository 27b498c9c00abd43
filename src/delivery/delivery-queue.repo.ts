/**
 * The job table's statements (DESIGN.md "The job table"). Every transition after the claim is fenced by the
 * lease token, so a worker that lost its lease (it hung past expiry and the sweeper gave the row to someone
 * else) changes nothing. All statements are set-based: a batch of deliveries costs a handful of statements,
 * which is where the engine's throughput comes from.
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { type DeliveryPayload, deliveries, deliveryAttempts, notifications } from "../../db/schema.ts";
import type { Queryable, Tx } from "../db/database.ts";
import type { Channel } from "../channels/types.ts";
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

/** SQLite allows 32,766 bound parameters per statement; stay well below. */
const MAX_PARAMS = 30_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface ClaimedRow {
  id: string;
  notification_id: string;
  recipient_id: string;
  channel: Channel;
  attempts: number;
  max_attempts: number;
  destination: string | null;
  payload: string | null;
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
  const rows = await tx.all<ClaimedRow>(sql`
    UPDATE deliveries
    SET status = 'leased', attempts = attempts + 1, lease_owner = ${owner}, lease_token = ${token},
        lease_until = ${now + leaseMs}, send_started_at = NULL, updated_at = ${now}
    WHERE id IN (
      SELECT id FROM deliveries
      WHERE channel = ${channel} AND status = 'queued' AND run_at <= ${now}
      ORDER BY priority_rank, run_at, id
      LIMIT ${limit}
    )
    RETURNING id, notification_id, recipient_id, channel, attempts, max_attempts, destination, payload`);
  return rows.map((r) => ({
    id: r.id,
    notificationId: r.notification_id,
    recipientId: r.recipient_id,
    channel: r.channel,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    destination: r.destination,
    payload: r.payload === null ? null : (JSON.parse(r.payload) as DeliveryPayload),
    leaseToken: token,
  }));
}

/** True when `channel` has a due queued delivery. A cheap read idle workers poll instead of claiming. */
export async function hasDue(q: Queryable, channel: Channel, now: number): Promise<boolean> {
  const rows = await q
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.channel, channel), eq(deliveries.status, "queued"), lte(deliveries.runAt, now)))
    .limit(1);
  return rows.length > 0;
}

/**
 * Records that the provider call is about to start, for the deliveries of one claim still held under `token`.
 * Returns the ids it could mark: only those may be sent.
 */
export async function markSendStarted(tx: Tx, token: string, ids: readonly string[], now: number): Promise<Set<string>> {
  const owned = new Set<string>();
  for (const part of chunks(ids, MAX_PARAMS - 10)) {
    const rows = await tx
      .update(deliveries)
      .set({ sendStartedAt: now })
      .where(and(eq(deliveries.leaseToken, token), eq(deliveries.status, "leased"), inArray(deliveries.id, part)))
      .returning({ id: deliveries.id });
    for (const r of rows) owned.add(r.id);
  }
  return owned;
}

/**
 * Gives leased deliveries back to the queue untouched (a stopping worker that had not started sending them),
 * refunding the attempt their claim counted.
 */
export async function releaseLeases(tx: Tx, token: string, ids: readonly string[], now: number): Promise<number> {
  let released = 0;
  for (const part of chunks(ids, MAX_PARAMS - 10)) {
    const rows = await tx
      .update(deliveries)
      .set({
        status: "queued",
        attempts: sql`${deliveries.attempts} - 1`,
        leaseOwner: null,
        leaseToken: null,
        leaseUntil: null,
        sendStartedAt: null,
        updatedAt: now,
      })
      .where(and(eq(deliveries.leaseToken, token), eq(deliveries.status, "leased"), inArray(deliveries.id, part)))
      .returning({ id: deliveries.id });
    released += rows.length;
  }
  return released;
}

/**
 * Applies attempt results in one transaction: each delivery's new state (fenced by its lease token), one
 * attempt-log row per result, and the notification's `email_sent`/`sms_sent` flags for those sent. Returns the
 * ids whose state changed; the others had lost their lease, and their attempt row says so (`lease-lost`) so a
 * resulting duplicate can be explained.
 */
export async function recordAttempts(tx: Tx, records: readonly AttemptRecord[], now: number): Promise<Set<string>> {
  const owned = new Set<string>();
  for (const part of chunks(records, Math.floor(MAX_PARAMS / 7))) {
    const values = sql.join(
      part.map((r) => {
        const t = r.transition;
        const runAt = t.status === "queued" ? t.runAt : null;
        const refund = t.status === "queued" && t.refundAttempt ? 1 : 0;
        return sql`(${r.delivery.id}, ${r.delivery.leaseToken}, ${t.status}, ${runAt}, ${refund}, ${r.providerMessageId}, ${lastError(r)})`;
      }),
      sql`, `,
    );
    const rows = await tx.all<{ id: string }>(sql`
      UPDATE deliveries SET
        status = v.column3,
        run_at = coalesce(v.column4, deliveries.run_at),
        attempts = deliveries.attempts - v.column5,
        provider_message_id = coalesce(v.column6, deliveries.provider_message_id),
        last_error = v.column7,
        sent_at = CASE WHEN v.column3 = 'sent' THEN ${now} ELSE deliveries.sent_at END,
        send_started_at = CASE WHEN v.column3 = 'queued' THEN NULL ELSE deliveries.send_started_at END,
        lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = ${now}
      FROM (VALUES ${values}) AS v
      WHERE deliveries.id = v.column1 AND deliveries.lease_token = v.column2 AND deliveries.status = 'leased'
      RETURNING deliveries.id AS id`);
    for (const r of rows) owned.add(r.id);
  }

  const attemptRows = records.map((r) => ({
    id: newId(now),
    deliveryId: r.delivery.id,
    attempt: r.delivery.attempts,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    status: r.status,
    errorCode: owned.has(r.delivery.id) ? r.errorCode : "lease-lost",
    errorMessage: owned.has(r.delivery.id) ? r.errorMessage : `${r.errorMessage ?? r.status}; the lease was lost before the result was recorded`,
    durationMs: Math.round(r.durationMs),
    costUsd: r.costUsd,
    createdAt: now,
  }));
  for (const part of chunks(attemptRows, Math.floor(MAX_PARAMS / 11))) await tx.insert(deliveryAttempts).values(part);

  for (const channel of ["email", "sms"] as const) {
    const sent = records
      .filter((r) => r.delivery.channel === channel && r.transition.status === "sent" && owned.has(r.delivery.id))
      .map((r) => r.delivery.notificationId);
    const flag = channel === "email" ? { emailSent: true } : { smsSent: true };
    for (const part of chunks([...new Set(sent)], MAX_PARAMS - 10)) {
      await tx.update(notifications).set(flag).where(inArray(notifications.id, part));
    }
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
