/**
 * Operator verbs on the job table: list and inspect deliveries with their attempt log, retry what failed (one
 * or by filter) and cancel what is still queued (by filter). Bulk verbs are single statements, so a retry of
 * ten thousand failures is one transaction and either happens or does not; given the count an operator confirmed,
 * they check it in the same transaction and change nothing if the set has changed.
 */
import {
  and,
  asc,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  lt,
  lte,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { type DeliveryPayload, type DeliveryStatus, deliveries, deliveryAttempts } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import { CHANNELS } from "../channels/types.ts";
import { decodeCursor, encodeCursor } from "../db/cursor.ts";
import type { Queryable, Tx } from "../db/queryable.ts";
import { pageFromWindow } from "../db/window-page.ts";
import type { Deps } from "../deps.ts";
import { idBounds, LIST_SCAN_ROWS, unindexed } from "../domain/notifications/list-window.rules.ts";
import { AppError, notFound } from "../errors.ts";

/** Statuses an operator may send back to the queue. */
export const retryableStatuses = ["failed", "unknown", "cancelled"] as const;
export type RetryableStatus = (typeof retryableStatuses)[number];

/** A delivery as the admin API shows it. */
export interface DeliveryView {
  id: string;
  notificationId: string;
  recipientId: string;
  channel: Channel;
  status: DeliveryStatus;
  reason: string | null;
  priorityRank: number;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  destination: string | null;
  providerMessageId: string | null;
  lastError: string | null;
  leaseUntil: number | null;
  sendStartedAt: number | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

/** One provider attempt as the admin API shows it. */
export interface AttemptView {
  id: string;
  attempt: number;
  provider: string;
  providerMessageId: string | null;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
  costUsd: number;
  createdAt: number;
}

/** Which deliveries a list or bulk verb applies to. */
export interface DeliveryFilter {
  /** One delivery (the admin console cancels one at a time through the bulk verb). */
  id?: string;
  status?: DeliveryStatus[];
  channel?: Channel;
  notificationId?: string;
  recipientId?: string;
  /** The stored (normalised) email address or phone number. */
  destination?: string;
  /** A provider that was called for it (`ses`, `sns`, `outbox`…), from its attempt log. */
  provider?: string;
  createdFrom?: number;
  createdTo?: number;
}

type Row = typeof deliveries.$inferSelect;

function toView(r: Row): DeliveryView {
  return {
    id: r.id,
    notificationId: r.notificationId,
    recipientId: r.recipientId,
    channel: r.channel,
    status: r.status,
    reason: r.reason,
    priorityRank: r.priorityRank,
    runAt: r.runAt,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    destination: r.destination,
    providerMessageId: r.providerMessageId,
    lastError: r.lastError,
    leaseUntil: r.leaseUntil,
    sendStartedAt: r.sendStartedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    sentAt: r.sentAt,
  };
}

/**
 * The filter as conditions. `column` may wrap each column (the list passes {@link unindexed}: its filters apply to
 * rows already chosen by id, and must not tempt the planner into another index).
 */
function conditions(f: DeliveryFilter, column: (c: AnySQLiteColumn) => SQLWrapper = (c) => c): SQL[] {
  const where: SQL[] = [];
  if (f.id) where.push(eq(column(deliveries.id), f.id));
  if (f.status?.length) where.push(inArray(column(deliveries.status), f.status));
  if (f.channel) where.push(eq(column(deliveries.channel), f.channel));
  if (f.notificationId) where.push(eq(column(deliveries.notificationId), f.notificationId));
  if (f.recipientId) where.push(eq(column(deliveries.recipientId), f.recipientId));
  if (f.destination) where.push(eq(column(deliveries.destination), f.destination));
  // Through the attempt log's delivery index, one seek per delivery the list's id window holds.
  if (f.provider)
    where.push(
      sql`EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = ${deliveries.id} AND a.provider = ${f.provider})`,
    );
  if (f.createdFrom !== undefined) where.push(gte(column(deliveries.createdAt), f.createdFrom));
  if (f.createdTo !== undefined) where.push(lte(column(deliveries.createdAt), f.createdTo));
  return where;
}

/**
 * Deliveries newest first, filtered, with cursor pagination, bounded per request (see
 * src/domain/notifications/list-window.rules.ts): the notification, the recipient or a single status picks an
 * index ordered by id, and the cursor and creation range bound the id; the other filters (channel, a second
 * status, the exact creation range) apply to a window of at most {@link LIST_SCAN_ROWS} rows of that range. A
 * page that used up its window before filling comes back short with a cursor to continue.
 */
export async function listDeliveries(
  deps: Pick<Deps, "db">,
  f: DeliveryFilter & { cursor?: string; limit: number },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const range: SQL[] = [];
  // One driving condition with an (…, id) index: a notification has few deliveries, a recipient and a status
  // many, so those two read their index in id order.
  if (f.notificationId) range.push(eq(deliveries.notificationId, f.notificationId));
  else if (f.recipientId) range.push(eq(deliveries.recipientId, f.recipientId));
  else if (f.status?.length === 1 && f.status[0]) range.push(eq(deliveries.status, f.status[0]));
  if (f.cursor) range.push(lt(deliveries.id, decodeCursor(f.cursor)));
  const bounds = idBounds(f);
  if (bounds.atLeast) range.push(gte(deliveries.id, bounds.atLeast));
  if (bounds.below) range.push(lt(deliveries.id, bounds.below));

  const q = deps.db.read;
  const window = q
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(...range))
    .orderBy(desc(deliveries.id))
    .limit(LIST_SCAN_ROWS);
  const matched = await q
    .select()
    .from(deliveries)
    .where(and(inArray(deliveries.id, window), ...conditions(f, unindexed)))
    .orderBy(desc(deliveries.id))
    .limit(f.limit + 1);
  const { page, continueAfter } = await pageFromWindow(q, window.as("w"), matched, f.limit);
  return { items: page.map(toView), nextCursor: continueAfter ? encodeCursor(continueAfter) : null };
}

/** One delivery with what it sends and every attempt, oldest first. */
export async function getDelivery(
  deps: Pick<Deps, "db">,
  id: string,
): Promise<DeliveryView & { payload: DeliveryPayload | null; attemptLog: AttemptView[] }> {
  const [row] = await deps.db.read.select().from(deliveries).where(eq(deliveries.id, id)).limit(1);
  if (!row) throw notFound("Delivery", id);
  const attempts = await deps.db.read
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, id))
    .orderBy(asc(deliveryAttempts.attempt), asc(deliveryAttempts.id));
  return {
    ...toView(row),
    payload: row.payload,
    attemptLog: attempts.map((a) => ({
      id: a.id,
      attempt: a.attempt,
      provider: a.provider,
      providerMessageId: a.providerMessageId,
      status: a.status,
      errorCode: a.errorCode,
      errorMessage: a.errorMessage,
      durationMs: a.durationMs,
      costUsd: a.costUsd,
      createdAt: a.createdAt,
    })),
  };
}

/**
 * The changes that send a delivery back to the queue now. The attempt count stays true (the attempt log keeps
 * numbering on), and the budget is a fresh HERALD_DELIVERY_MAX_ATTEMPTS on top of what was already spent.
 */
function requeueNow(deps: Pick<Deps, "config">, now: number) {
  return {
    status: "queued" as const,
    runAt: now,
    reason: null,
    maxAttempts: sql`${deliveries.attempts} + ${deps.config.HERALD_DELIVERY_MAX_ATTEMPTS}`,
    leaseOwner: null,
    leaseToken: null,
    leaseUntil: null,
    sendStartedAt: null,
    updatedAt: now,
  };
}

/** Only rows that still have something to send can be retried (erasure removes destination and payload). */
const sendable = () => [isNotNull(deliveries.destination), isNotNull(deliveries.payload)];

/** The rows a bulk retry with `f` sends back: the filter's, that still have something to send. */
const retryMatch = (f: DeliveryFilter & { status: RetryableStatus[] }) =>
  and(...conditions(f), ...sendable());

/** The rows a bulk cancel with `f` cancels: the filter's that are still queued. */
const cancelMatch = (f: Omit<DeliveryFilter, "status">) => and(...conditions({ ...f, status: ["queued"] }));

async function countWhere(q: Queryable, where: SQL | undefined): Promise<number> {
  const [row] = await q.select({ n: count() }).from(deliveries).where(where);
  return row?.n ?? 0;
}

/**
 * Thrown by a bulk verb given the count an operator confirmed when the matching set no longer has that many rows
 * (deliveries failed or were sent meanwhile): nothing was changed, and `count` is how many match now.
 */
export class BulkSetChangedError extends Error {
  constructor(readonly count: number) {
    super(`${count} deliveries match now`);
    this.name = "BulkSetChangedError";
  }
}

/** Inside the verb's own write: refuses when `expected` is given and the match no longer has that many rows. */
async function checkExpected(tx: Tx, where: SQL | undefined, expected: number | undefined): Promise<void> {
  if (expected === undefined) return;
  const now = await countWhere(tx, where);
  if (now !== expected) throw new BulkSetChangedError(now);
}

/**
 * How many deliveries {@link retryDeliveries} would send back with the same filter, now: the count an operator
 * confirms before a bulk retry (rows may still change before it runs; the retry returns what it changed).
 */
export function countRetryable(
  deps: Pick<Deps, "db">,
  f: DeliveryFilter & { status: RetryableStatus[] },
): Promise<number> {
  return countWhere(deps.db.read, retryMatch(f));
}

/** How many deliveries {@link cancelDeliveries} would cancel with the same filter, now. */
export function countCancellable(deps: Pick<Deps, "db">, f: Omit<DeliveryFilter, "status">): Promise<number> {
  return countWhere(deps.db.read, cancelMatch(f));
}

/** Sends one failed, unknown or cancelled delivery back to the queue, due now. */
export async function retryDelivery(
  deps: Pick<Deps, "db" | "clock" | "config" | "wakeups">,
  id: string,
): Promise<DeliveryView> {
  const now = deps.clock.now();
  const row = await deps.db.write(async (tx) => {
    const [updated] = await tx
      .update(deliveries)
      .set(requeueNow(deps, now))
      .where(and(eq(deliveries.id, id), inArray(deliveries.status, [...retryableStatuses]), ...sendable()))
      .returning();
    if (updated) return updated;
    const [current] = await tx.select().from(deliveries).where(eq(deliveries.id, id)).limit(1);
    if (!current) throw notFound("Delivery", id);
    if (!retryableStatuses.includes(current.status as RetryableStatus)) {
      throw new AppError(
        "conflict",
        `A delivery that is '${current.status}' cannot be retried; only ${retryableStatuses.join(", ")} can`,
        {
          deliveryStatus: current.status,
        },
      );
    }
    throw new AppError("conflict", "This delivery has nothing left to send (its recipient was erased)");
  });
  deps.wakeups.notify(row.channel, now);
  return toView(row);
}

/**
 * Sends every matching failed/unknown/cancelled delivery back to the queue; returns how many. With `expected` (the
 * count the operator confirmed) it throws {@link BulkSetChangedError} instead when that many no longer match.
 */
export async function retryDeliveries(
  deps: Pick<Deps, "db" | "clock" | "config" | "wakeups">,
  f: DeliveryFilter & { status: RetryableStatus[] },
  expected?: number,
): Promise<number> {
  const now = deps.clock.now();
  const result = await deps.db.write(async (tx) => {
    await checkExpected(tx, retryMatch(f), expected);
    return tx.update(deliveries).set(requeueNow(deps, now)).where(retryMatch(f));
  });
  if (result.rowsAffected > 0)
    for (const channel of f.channel ? [f.channel] : CHANNELS) deps.wakeups.notify(channel, now);
  return result.rowsAffected;
}

/** Cancels every matching delivery that is still queued (leased ones are being sent and are left alone). */
export async function cancelDeliveries(
  deps: Pick<Deps, "db" | "clock">,
  f: Omit<DeliveryFilter, "status">,
  expected?: number,
): Promise<number> {
  const now = deps.clock.now();
  const result = await deps.db.write(async (tx) => {
    await checkExpected(tx, cancelMatch(f), expected);
    return tx
      .update(deliveries)
      .set({ status: "cancelled", reason: "cancelled-by-operator", updatedAt: now })
      .where(cancelMatch(f));
  });
  return result.rowsAffected;
}
