/**
 * What an operator may send to read or change the suppression list (`/v1/suppressions`, `herald suppressions`):
 * one contract, so the CLI refuses exactly what the API refuses. Contacts are checked with the same rules as
 * recipients' contact fields.
 */
import { z } from "zod";
import { CHANNELS } from "../../channels/types.ts";
import { E164, recipientFieldsSchema } from "../recipients/recipients.rules.ts";

/** Filters of the list. */
export const SuppressionFilter = z.object({
  channel: z.enum(CHANNELS).optional(),
  contact: z.string().max(320).optional().meta({ description: "Exact contact (normalised before matching)" }),
});

const detail = z
  .string()
  .max(500)
  .nullable()
  .optional()
  .meta({ description: "Why (a ticket, a request); no message content" });

/** A contact to suppress by hand. */
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
  .meta({ id: "SuppressionInput" });

/** One entry of the list, as named to lift it. */
export const SuppressionKey = z.object({
  channel: z.enum(CHANNELS),
  contact: z.string().min(1).max(320),
});
