/**
 * Operator verbs on the job table: list and inspect deliveries with their attempt log, retry what failed (one
 * or by filter) and cancel what is still queued (by filter). Bulk verbs are single statements, so a retry of
 * ten thousand failures is one transaction and either happens or does not.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, type SQL, sql } from "drizzle-orm";
import { type DeliveryPayload, type DeliveryStatus, deliveries, deliveryAttempts } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import type { Deps } from "../deps.ts";
import { decodeCursor, encodeCursor } from "../db/cursor.ts";
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
  status?: DeliveryStatus[];
  channel?: Channel;
  notificationId?: string;
  recipientId?: string;
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

function conditions(f: DeliveryFilter): SQL[] {
  const where: SQL[] = [];
  if (f.status?.length) where.push(inArray(deliveries.status, f.status));
  if (f.channel) where.push(eq(deliveries.channel, f.channel));
  if (f.notificationId) where.push(eq(deliveries.notificationId, f.notificationId));
  if (f.recipientId) where.push(eq(deliveries.recipientId, f.recipientId));
  if (f.createdFrom !== undefined) where.push(gte(deliveries.createdAt, f.createdFrom));
  if (f.createdTo !== undefined) where.push(lte(deliveries.createdAt, f.createdTo));
  return where;
}

/** Deliveries newest first, filtered, with cursor pagination. */
export async function listDeliveries(
  deps: Pick<Deps, "db">,
  f: DeliveryFilter & { cursor?: string; limit: number },
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const where = conditions(f);
  if (f.cursor) where.push(lt(deliveries.id, decodeCursor(f.cursor)));
  const rows = await deps.db.read
    .select()
    .from(deliveries)
    .where(and(...where))
    .orderBy(desc(deliveries.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { items: page.map(toView), nextCursor: rows.length > f.limit && last ? encodeCursor(last.id) : null };
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

/** Sends one failed, unknown or cancelled delivery back to the queue, due now. */
export async function retryDelivery(deps: Pick<Deps, "db" | "clock" | "config">, id: string): Promise<DeliveryView> {
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
      throw new AppError("conflict", `A delivery that is '${current.status}' cannot be retried; only ${retryableStatuses.join(", ")} can`, {
        deliveryStatus: current.status,
      });
    }
    throw new AppError("conflict", "This delivery has nothing left to send (its recipient was erased)");
  });
  return toView(row);
}

/** Sends every matching failed/unknown/cancelled delivery back to the queue; returns how many. */
export async function retryDeliveries(
  deps: Pick<Deps, "db" | "clock" | "config">,
  f: DeliveryFilter & { status: RetryableStatus[] },
): Promise<number> {
  const now = deps.clock.now();
  const result = await deps.db.write((tx) =>
    tx
      .update(deliveries)
      .set(requeueNow(deps, now))
      .where(and(...conditions(f), ...sendable())),
  );
  return result.rowsAffected;
}

/** Cancels every matching delivery that is still queued (leased ones are being sent and are left alone). */
export async function cancelDeliveries(
  deps: Pick<Deps, "db" | "clock">,
  f: Omit<DeliveryFilter, "status">,
): Promise<number> {
  const now = deps.clock.now();
  const result = await deps.db.write((tx) =>
    tx
      .update(deliveries)
      .set({ status: "cancelled", reason: "cancelled-by-operator", updatedAt: now })
      .where(and(...conditions({ ...f, status: ["queued"] }))),
  );
  return result.rowsAffected;
}
