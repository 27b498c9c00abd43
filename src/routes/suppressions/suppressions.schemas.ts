import { z } from "@hono/zod-openapi";
import { E164, recipientFieldsSchema } from "../../domain/recipients/recipients.rules.ts";
import { Channel, EpochMs, PageQuery, pageInfo } from "../../http/schemas.ts";

export const Suppression = z
  .object({
    channel: Channel,
    contact: z.string().openapi({ description: "Normalised: lower-case email address or E.164 number" }),
    reason: z.enum(["bounce", "complaint", "opt-out", "manual"]),
    source: z.string().openapi({ description: "ses, sns or operator" }),
    detail: z
      .string()
      .nullable()
      .openapi({ description: "Bounce subtype, complaint feedback type or operator note" }),
    createdAt: EpochMs,
  })
  .openapi("Suppression");

export const SuppressionPage = z
  .object({ items: z.array(Suppression), ...pageInfo })
  .openapi("SuppressionPage");

export const SuppressionQuery = PageQuery.extend({
  channel: Channel.optional(),
  contact: z
    .string()
    .max(320)
    .optional()
    .openapi({ description: "Exact contact (normalised before matching)" }),
});

const detail = z
  .string()
  .max(500)
  .nullable()
  .optional()
  .openapi({ description: "Why (a ticket, a request); no message content" });

/** Contacts are checked with the same rules as recipients' contact fields. */
export const SuppressionInput = z
  .discriminatedUnion("channel", [
    z
      .object({
        channel: z.literal("email"),
        contact: recipientFieldsSchema.shape.email.unwrap().unwrap(),
        detail,
      })
      .strict(),
    z
      .object({
        channel: z.literal("sms"),
        contact: z.string().regex(E164, "must be an E.164 phone number such as +15551234567"),
        detail,
      })
      .strict(),
  ])
  .openapi("SuppressionInput");

export const SuppressionParams = z.object({
  channel: Channel.openapi({ param: { name: "channel", in: "path" } }),
  contact: z
    .string()
    .min(1)
    .max(320)
    .openapi({
      param: { name: "contact", in: "path" },
      description: "URL-encoded email address or E.164 number",
      example: "ann%40example.com",
    }),
});
