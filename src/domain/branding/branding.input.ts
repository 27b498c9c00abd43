/**
 * What an operator may send to change the branding (`PUT /v1/branding`, the console's branding form): one
 * contract, so the console refuses exactly what the API refuses. Plain zod; descriptions and examples are zod
 * metadata, which the API's OpenAPI document reads.
 */
import { z } from "zod";

const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be a #rrggbb colour")
  .transform((c) => c.toLowerCase())
  .meta({ example: "#1f4e79" });

/** Display names end up in email headers (From) and HTML: no control characters, quotes or angle brackets. */
const displayName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}"<>\\]+$/u, "may not contain quotes, angle brackets, backslashes or control characters");

/** A partial update: fields left out keep their value, null clears an optional one. */
export const BrandingInput = z
  .object({
    companyName: displayName.optional().meta({ example: "Acme Repairs" }),
    logoUrl: z
      .string()
      .url()
      .max(2000)
      .regex(/^https?:\/\//i, "must be an http(s) URL")
      .nullable()
      .optional()
      .meta({ description: "Shown in the email header (about 40 px high); https recommended" }),
    primaryColor: color.optional(),
    accentColor: color.optional(),
    footerText: z.string().max(1000).optional(),
    supportEmail: z.string().email("must be a valid email address").max(254).nullable().optional(),
    fromName: displayName
      .optional()
      .meta({ description: "The display name emails are sent from", example: "Acme Repairs" }),
  })
  .strict()
  .meta({
    id: "BrandingInput",
    description: "Fields left out keep their current value; null clears an optional one.",
  });
