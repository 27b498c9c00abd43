import { z } from "@hono/zod-openapi";
import { recipientFieldsSchema } from "../../domain/recipients/recipients.rules.ts";
import { EpochMs } from "../../http/schemas.ts";

/** The portal's own id for a person: letters, digits and `._:-`, up to 128 characters. */
export const RecipientId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, "may contain only letters, digits and . _ : -")
  .openapi({ param: { name: "id", in: "path" }, example: "tech-42" });

export const RecipientKind = recipientFieldsSchema.shape.kind;

export const RecipientInput = recipientFieldsSchema
  .partial({ kind: true })
  .strict()
  .openapi("RecipientInput", {
    description:
      "Fields left out keep their current value; null clears an optional one. `kind` is required only to create a recipient.",
    example: {
      kind: "technician",
      name: "Pat Lee",
      email: "pat@example.com",
      emailVerified: true,
      phone: "+15555550142",
      phoneVerified: true,
      timezone: "America/Chicago",
      locale: "en",
    },
  });

export const Recipient = z
  .object({
    id: z.string(),
    kind: RecipientKind,
    name: z.string().nullable(),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
    phone: z.string().nullable(),
    phoneVerified: z.boolean(),
    timezone: z.string(),
    locale: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Recipient");

/** A page of recipients in id order, with the cursor of the next one (null on the last page). */
export const RecipientPage = z
  .object({ items: z.array(Recipient), nextCursor: z.string().nullable() })
  .openapi("RecipientPage");
