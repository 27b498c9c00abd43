/** Queries provider feedback needs: find the delivery a provider message id belongs to, record what happened. */
import { and, eq } from "drizzle-orm";
import { type DeliveryStatus, deliveries, deliveryAttempts, snsMessages } from "../../../db/schema.ts";
import type { Channel } from "../../channels/types.ts";
import type { Tx } from "../../db/queryable.ts";
import { newId } from "../../ids.ts";

/** The fields of a delivery feedback reads. */
export interface FeedbackTarget {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  destination: string | null;
}

/** The delivery the provider sent as `providerMessageId` on `channel`, if it is ours. */
export async function findByProviderMessageId(
  tx: Tx,
  channel: Channel,
  providerMessageId: string,
): Promise<FeedbackTarget | undefined> {
  const [row] = await tx
    .select({
      id: deliveries.id,
      status: deliveries.status,
      attempts: deliveries.attempts,
      destination: deliveries.destination,
    })
    .from(deliveries)
    .where(and(eq(deliveries.providerMessageId, providerMessageId), eq(deliveries.channel, channel)))
    .limit(1);
  return row;
}

/**
 * Records SNS message `messageId` as applied; false when it already was (an SNS retry or a replay). Claiming the
 * id in the same transaction as the feedback's effects is what makes each message apply exactly once.
 */
export async function claimSnsMessage(tx: Tx, messageId: string, now: number): Promise<boolean> {
  const inserted = await tx
    .insert(snsMessages)
    .values({ messageId, receivedAt: now })
    .onConflictDoNothing()
    .returning({ messageId: snsMessages.messageId });
  return inserted.length > 0;
}

/** Moves the delivery to `status` (when given) and records the provider's price, if it reported one. */
export async function updateFromFeedback(
  tx: Tx,
  deliveryId: string,
  change: { status: DeliveryStatus | null; lastError: string | null; priceUsd: number | null },
  now: number,
): Promise<void> {
  if (change.status === null && change.priceUsd === null) return;
  await tx
    .update(deliveries)
    .set({
      updatedAt: now,
      ...(change.status !== null
        ? { status: change.status, ...(change.lastError !== null ? { lastError: change.lastError } : {}) }
        : {}),
      ...(change.priceUsd !== null ? { costUsd: change.priceUsd } : {}),
    })
    .where(eq(deliveries.id, deliveryId));
}

/** One attempt-log row for a piece of feedback (never contact data in the message). */
export async function insertFeedbackAttempt(
  tx: Tx,
  row: {
    deliveryId: string;
    attempt: number;
    provider: string;
    feedbackId: string;
    status: string;
    errorCode: string | null;
    errorMessage: string | null;
  },
  now: number,
): Promise<void> {
  await tx.insert(deliveryAttempts).values({
    id: newId(now),
    deliveryId: row.deliveryId,
    attempt: row.attempt,
    provider: row.provider,
    providerMessageId: row.feedbackId,
    status: row.status,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    durationMs: 0,
    costUsd: 0,
    createdAt: now,
  });
}
