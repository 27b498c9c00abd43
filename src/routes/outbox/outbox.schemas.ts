import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../domain/pagination.rules.ts";
import { Channel, EpochMs, pageInfo } from "../../http/schemas.ts";

export const OutboxMessage = z
  .object({
    id: z.string(),
    deliveryId: z.string().nullable(),
    recipientId: z.string().nullable(),
    channel: Channel,
    to: z.string(),
    from: z.string().nullable(),
    subject: z.string().nullable(),
    html: z.string().nullable(),
    text: z.string(),
    createdAt: EpochMs,
  })
  .openapi("OutboxMessage");

export const OutboxPage = z.object({ items: z.array(OutboxMessage), ...pageInfo }).openapi("OutboxPage");

export const OutboxQuery = PageQuery.extend({
  channel: Channel.optional(),
  recipientId: z.string().max(128).optional(),
  to: z.string().max(254).optional().openapi({ description: "Exact email address or E.164 phone number" }),
});
