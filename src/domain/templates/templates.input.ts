/**
 * What an operator may send to create, change or preview a template (`/v1/templates`, the console's template
 * forms): one contract, so the console refuses exactly what the API refuses. Plain zod; descriptions are zod
 * metadata, which the API's OpenAPI document reads.
 */
import { z } from "zod";
import { PrioritySchema } from "../priorities.ts";
import { E164 } from "../recipients/recipients.rules.ts";
import { CONTEXT_PATH, TEMPLATE_NAME } from "./templates.rules.ts";

/** A template name: letters, digits and `._-`, starting with a letter or digit, at most 100 characters. */
export const TemplateName = z
  .string()
  .min(1)
  .max(100)
  .regex(TEMPLATE_NAME, "letters, digits and . _ - (e.g. repair-approved)")
  .meta({ param: { name: "name", in: "path" }, example: "repair-approved" });

const liquid = (max: number, description: string) => z.string().max(max).meta({ description });
const optionalLiquid = (max: number, description: string) => liquid(max, description).nullable().optional();

/** The editable fields; PUT takes them all optional, POST requires category, priority, title and message. */
const fields = {
  description: z.string().max(1000).optional(),
  category: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits and . _ -")
    .meta({ description: "Preference category recipients can opt out of per channel", example: "repair" }),
  defaultPriority: PrioritySchema,
  title: liquid(1000, "In-app title (Liquid, plain text, one line)").min(1),
  message: liquid(10_000, "In-app message (Liquid, plain text)").min(1),
  emailSubject: optionalLiquid(1000, "Email subject (Liquid, plain text, one line)"),
  emailHtml: optionalLiquid(
    200_000,
    "Email HTML body (Liquid; every output is HTML-escaped). Rendered inside the branded layout.",
  ),
  emailText: optionalLiquid(
    100_000,
    "Email text body (Liquid, plain text). Derived from the HTML when absent.",
  ),
  sms: optionalLiquid(2000, "SMS text (Liquid, plain text)"),
  requiredContext: z
    .array(z.string().max(200).regex(CONTEXT_PATH, "a dotted path such as repair.id"))
    .max(100)
    .optional()
    .meta({
      description:
        "Context keys every notification must carry: a top-level name (`repair`) covers every path under it (`repair.id`, `repair.customer.name`), a dotted path (`repair.id`) only itself. A template may only use these and the globals: recipient.{id,name,kind,locale}, branding.*, actionUrl, priority, category, preferencesUrl.",
      example: ["repair.id", "repair.title"],
    }),
  active: z.boolean().optional(),
};

export const CreateTemplate = z
  .object({ name: TemplateName, ...fields })
  .strict()
  .meta({ id: "CreateTemplate" });

export const UpdateTemplate = z
  .object({
    ...fields,
    category: fields.category.optional(),
    defaultPriority: PrioritySchema.optional(),
    title: fields.title.optional(),
    message: fields.message.optional(),
  })
  .strict()
  .meta({
    id: "UpdateTemplate",
    description: "Fields left out keep their current value; null clears an optional one.",
  });

export const PreviewRequest = z
  .object({
    context: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ example: { repair: { id: "R-1042", title: "Leaking faucet" } } }),
    recipient: z
      .object({
        name: z.string().max(200).nullable().optional(),
        kind: z.enum(["technician", "customer", "staff"]).optional(),
        locale: z.string().max(35).optional(),
      })
      .strict()
      .optional(),
    actionUrl: z.string().url().max(2000).nullable().optional(),
    phone: z
      .string()
      .regex(E164, "must be an E.164 phone number such as +15551234567")
      .optional()
      .meta({ description: "Prices the SMS for this number's country (US/CA when absent)" }),
  })
  .strict()
  .meta({ id: "TemplatePreviewRequest" });
