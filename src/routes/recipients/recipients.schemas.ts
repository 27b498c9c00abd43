import { z } from "@hono/zod-openapi";
import { E164, isValidLocale, isValidTimeZone } from "../../domain/recipients/recipients.rules.ts";
import { EpochMs } from "../../http/schemas.ts";

/** The portal's own id for a person: letters, digits and `._:-`, up to 128 characters. */
export const RecipientId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, "may contain only letters, digits and . _ : -")
  .openapi({ param: { name: "id", in: "path" }, example: "tech-42" });

export const RecipientKind = z.enum(["technician", "customer", "staff"]);

/** Contact fields shared by `PUT /v1/recipients/{id}` and recipients embedded in events. */
export const RecipientFields = {
  kind: RecipientKind,
  name: z.string().max(200).nullable().optional(),
  email: z.string().email("must be a valid email address").max(254).nullable().optional(),
  emailVerified: z.boolean().optional(),
  phone: z.string().regex(E164, "must be an E.164 phone number such as +15551234567").nullable().optional(),
  phoneVerified: z.boolean().optional(),
  timezone: z
    .string()
    .refine(isValidTimeZone, "must be an IANA time zone such as America/Chicago")
    .optional(),
  locale: z.string().max(35).refine(isValidLocale, "must be a BCP 47 language tag such as en or es-MX").optional(),
};

export const RecipientInput = z
  .object(RecipientFields)
  .strict()
  .openapi("RecipientInput", {
    description: "Fields left out keep their current value; null clears an optional one.",
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
