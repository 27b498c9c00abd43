import { z } from "zod";
import { canonicalTimeZone, MAX_TIME_ZONE_LENGTH } from "../notifications/local-time.rules.ts";

/** Pure checks on recipient contact data. */

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/** True for an IANA time zone name this runtime knows (e.g. `America/Chicago`, `UTC`), in any letter case. */
export function isValidTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

/** True for a BCP 47 language tag such as `en` or `es-MX`. */
export function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

/**
 * A recipient's contact fields as the portal sends them, in `PUT /v1/recipients/{id}` and inside events.
 * Unknown keys are dropped here (events carry more than contact data); the PUT route makes it strict.
 */
export const recipientFieldsSchema = z.object({
  kind: z.enum(["technician", "customer", "staff"]),
  name: z.string().max(200).nullable().optional(),
  email: z.string().email("must be a valid email address").max(254).nullable().optional(),
  emailVerified: z.boolean().optional(),
  phone: z.string().regex(E164, "must be an E.164 phone number such as +15551234567").nullable().optional(),
  phoneVerified: z.boolean().optional(),
  timezone: z
    .string()
    .max(MAX_TIME_ZONE_LENGTH)
    .refine(isValidTimeZone, "must be an IANA time zone such as America/Chicago")
    .optional(),
  locale: z
    .string()
    .max(35)
    .refine(isValidLocale, "must be a BCP 47 language tag such as en or es-MX")
    .optional(),
});

/** A recipient id as the portal chooses it: letters, digits and `._:-`, 1-128 characters. */
export const RECIPIENT_ID = /^[\w.:-]{1,128}$/;

/** The opaque cursor of a recipients page: the last id of the previous page, base64url-encoded. */
export function encodeRecipientCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

/** The last id a recipients cursor names, or null when it is not one of ours. */
export function decodeRecipientCursor(cursor: string): string | null {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  return RECIPIENT_ID.test(id) && encodeRecipientCursor(id) === cursor ? id : null;
}
