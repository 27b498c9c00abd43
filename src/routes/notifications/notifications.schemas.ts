import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../domain/pagination.rules.ts";
import { ActionUrl, Channel, EpochMs, Priority } from "../../http/schemas.ts";

/** A notification as the API shows it (also the inbox item). */
export const Notification = z
  .object({
    id: z.string(),
    recipientId: z.string(),
    template: z.string(),
    priority: Priority,
    category: z.string(),
    title: z.string(),
    message: z.string(),
    actionUrl: z.string().nullable(),
    subject: z.object({ type: z.string(), id: z.string() }).nullable(),
    read: z.boolean(),
    readAt: EpochMs.nullable(),
    createdAt: EpochMs,
    sendAt: EpochMs.nullable(),
    emailSent: z.boolean(),
    smsSent: z.boolean(),
  })
  .openapi("Notification");

/** A page of notifications with the cursor for the next one (null on the last page). */
export const NotificationPage = z
  .object({ items: z.array(Notification), nextCursor: z.string().nullable() })
  .openapi("NotificationPage");

/** Free-form template context: the variables the template uses. */
export const Context = z
  .record(z.string(), z.unknown())
  .openapi({ example: { repair: { id: "R-123", title: "Leaking valve" } } });

export const Subject = z
  .object({ type: z.string().min(1).max(64), id: z.string().min(1).max(128) })
  .openapi("Subject", { description: "What the notification is about, e.g. repair R-123" });

export const CreateNotification = z
  .object({
    recipientId: z.string().min(1).max(128),
    template: z.string().min(1).max(100),
    context: Context.default({}),
    priority: Priority.optional(),
    category: z.string().min(1).max(64).optional(),
    actionUrl: ActionUrl.nullable().optional(),
    subject: Subject.nullable().optional(),
    dedupeKey: z.string().min(1).max(200).nullable().optional(),
    sendAt: EpochMs.nullable().optional(),
  })
  .strict()
  .openapi("CreateNotification", {
    // Sent as it is, it works: a seeded template with its required context, for the recipient whose example
    // PUT /v1/recipients/{id} creates.
    example: {
      recipientId: "tech-42",
      template: "repair-approved",
      context: { repair: { id: "R-123", title: "Leaking valve" } },
      priority: "HIGH",
      actionUrl: "https://portal.example.com/repairs/R-123",
      subject: { type: "repair", id: "R-123" },
      dedupeKey: "repair-R-123-approved",
    },
  });

export const Decision = z
  .object({
    channel: Channel,
    status: z.enum(["queued", "deferred", "digest", "skipped"]),
    reason: z
      .string()
      .nullable()
      .openapi({ description: "Why the channel is not plainly queued (null when it is)" }),
    runAt: EpochMs.nullable(),
    deliveryId: z.string(),
  })
  .openapi("ChannelDecision");

export const CreatedNotification = z
  .object({
    notification: Notification,
    decisions: z.array(Decision).openapi({
      description: "Each channel's decision as made when the notification was created (also on a replay)",
    }),
    replayed: z.boolean().openapi({
      description:
        "True when the notification already existed for this recipient and dedupeKey (status 200): nothing was created, and `decisions` are those made at its creation, not the deliveries' current state (see GET /v1/notifications/{id} for that)",
    }),
  })
  .openapi("CreatedNotification");

/** Headers of a create response: whether the whole answer is a stored Idempotency-Key response. */
export const ReplayHeaders = z.object({
  "Idempotent-Replayed": z.literal("true").optional().openapi({
    description:
      "Present when this is the stored response to an earlier request with the same Idempotency-Key",
  }),
});

export const DeliverySummary = z
  .object({
    id: z.string(),
    channel: Channel,
    status: z.string(),
    reason: z.string().nullable(),
    runAt: EpochMs,
    attempts: z.number().int(),
    sentAt: EpochMs.nullable(),
    lastError: z.string().nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("DeliverySummary");

export const NotificationWithDeliveries = Notification.extend({
  deliveries: z.array(DeliverySummary),
}).openapi("NotificationWithDeliveries");

const booleanString = z.enum(["true", "false"]).transform((v) => v === "true");

export const ListQuery = PageQuery.extend({
  recipientId: z.string().max(128).optional(),
  priority: Priority.optional(),
  category: z.string().max(64).optional(),
  read: booleanString.optional(),
  createdFrom: z.coerce.number().int().optional(),
  createdTo: z.coerce.number().int().optional(),
  q: z.string().min(1).max(200).optional().openapi({ description: "Text search in title and message" }),
});

const ChannelStats = z.object({
  queued: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
});

export const Stats = z
  .object({
    total: z.number().int(),
    unread: z.number().int(),
    byPriority: z.record(z.string(), z.number().int()),
    byCategory: z.record(z.string(), z.number().int()),
    email: ChannelStats,
    sms: ChannelStats,
  })
  .openapi("Stats");
