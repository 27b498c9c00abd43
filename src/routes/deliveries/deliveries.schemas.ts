import { z } from "@hono/zod-openapi";
import { deliveryStatuses } from "../../../db/schema.ts";
import { retryableStatuses } from "../../delivery/deliveries.service.ts";
import { PageQuery } from "../../domain/pagination.rules.ts";
import { Channel, EpochMs, pageInfo } from "../../http/schemas.ts";

export const DeliveryStatus = z.enum(deliveryStatuses).openapi("DeliveryStatus");
export const DeliveryId = z
  .string()
  .min(1)
  .max(64)
  .openapi({ param: { name: "id", in: "path" }, example: "01JH8Y3M6T5Q2W9X7Z4B1C0D2E" });

export const Delivery = z
  .object({
    id: z.string(),
    notificationId: z.string(),
    recipientId: z.string(),
    channel: Channel,
    status: DeliveryStatus,
    reason: z.string().nullable().openapi({ description: "Why it was skipped, deferred or cancelled" }),
    priorityRank: z.number().int().openapi({ description: "0 = URGENT … 3 = LOW; lower goes first" }),
    runAt: EpochMs.openapi({ description: "Not sent before this time (retry backoff, quiet hours, sendAt)" }),
    attempts: z.number().int().openapi({ description: "Provider attempts so far, counted at claim" }),
    maxAttempts: z.number().int(),
    destination: z.string().nullable().openapi({ description: "Email address or E.164 phone number" }),
    providerMessageId: z.string().nullable(),
    lastError: z.string().nullable(),
    leaseUntil: EpochMs.nullable(),
    sendStartedAt: EpochMs.nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
    sentAt: EpochMs.nullable(),
  })
  .openapi("Delivery");

export const DeliveryAttempt = z
  .object({
    id: z.string(),
    attempt: z.number().int(),
    provider: z.string(),
    providerMessageId: z.string().nullable(),
    status: z.string().openapi({ description: "sent, retry, failed, paused, lease-expired or ambiguous" }),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    durationMs: z.number().int(),
    costUsd: z.number().openapi({ description: "Estimated cost (SMS segments × price for the destination)" }),
    createdAt: EpochMs,
  })
  .openapi("DeliveryAttempt");

const Payload = z
  .union([
    z.object({ kind: z.literal("email"), subject: z.string(), html: z.string(), text: z.string() }),
    z.object({
      kind: z.literal("sms"),
      text: z.string(),
      encoding: z.enum(["GSM-7", "UCS-2"]),
      segments: z.number().int(),
    }),
  ])
  .openapi("DeliveryPayload");

export const DeliveryDetail = Delivery.extend({
  payload: Payload.nullable(),
  attemptLog: z.array(DeliveryAttempt),
}).openapi("DeliveryDetail");

export const DeliveryPage = z.object({ items: z.array(Delivery), ...pageInfo }).openapi("DeliveryPage");

const filterFields = {
  channel: Channel.optional(),
  notificationId: z.string().max(64).optional(),
  recipientId: z.string().max(128).optional(),
  createdFrom: EpochMs.optional(),
  createdTo: EpochMs.optional(),
};

export const ListQuery = PageQuery.extend({
  status: DeliveryStatus.optional(),
  channel: Channel.optional(),
  notificationId: z.string().max(64).optional(),
  recipientId: z.string().max(128).optional(),
  createdFrom: z.coerce.number().int().optional(),
  createdTo: z.coerce.number().int().optional(),
});

export const BulkRetry = z
  .object({
    status: z
      .array(z.enum(retryableStatuses))
      .min(1)
      .openapi({
        description: "Which final states to send back to the queue",
        example: ["failed", "unknown"],
      }),
    ...filterFields,
  })
  .strict()
  .openapi("BulkRetry");

export const BulkCancel = z.object(filterFields).strict().openapi("BulkCancel", {
  description: "Only deliveries still queued are cancelled; an empty filter cancels every queued one.",
});

export const BulkResult = z
  .object({ count: z.number().int().openapi({ description: "Deliveries changed" }) })
  .openapi("BulkResult");
