import { z } from "@hono/zod-openapi";
import { E164 } from "../../domain/recipients/recipients.rules.ts";
import { CONTEXT_PATH } from "../../domain/templates/templates.rules.ts";
import { Channel, EpochMs, Priority } from "../../http/schemas.ts";

/** A template name: letters, digits and `._-`, starting with a letter or digit. */
export const TemplateName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][\w.-]*$/, "letters, digits and . _ - (e.g. repair-approved)")
  .openapi({ param: { name: "name", in: "path" }, example: "repair-approved" });

const liquid = (max: number, description: string) => z.string().max(max).openapi({ description });
const optionalLiquid = (max: number, description: string) => liquid(max, description).nullable().optional();

/** The editable fields; PUT takes them all optional, POST requires category, priority, title and message. */
const fields = {
  description: z.string().max(1000).optional(),
  category: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits and . _ -")
    .openapi({ description: "Preference category recipients can opt out of per channel", example: "repair" }),
  defaultPriority: Priority,
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
    .openapi({
      description:
        "Context keys every notification must carry: a top-level name (`repair`) covers every path under it (`repair.id`, `repair.customer.name`), a dotted path (`repair.id`) only itself. A template may only use these and the globals: recipient.{id,name,kind,locale}, branding.*, actionUrl, priority, category, preferencesUrl.",
      example: ["repair.id", "repair.title"],
    }),
  active: z.boolean().optional(),
};

export const CreateTemplate = z
  .object({ name: TemplateName, ...fields })
  .strict()
  .openapi("CreateTemplate");

export const UpdateTemplate = z
  .object({
    ...fields,
    category: fields.category.optional(),
    defaultPriority: Priority.optional(),
    title: fields.title.optional(),
    message: fields.message.optional(),
  })
  .strict()
  .openapi("UpdateTemplate", {
    description: "Fields left out keep their current value; null clears an optional one.",
  });

export const Template = z
  .object({
    name: z.string(),
    description: z.string(),
    category: z.string(),
    defaultPriority: Priority,
    title: z.string(),
    message: z.string(),
    emailSubject: z.string().nullable(),
    emailHtml: z.string().nullable(),
    emailText: z.string().nullable(),
    sms: z.string().nullable(),
    requiredContext: z.array(z.string()),
    active: z.boolean(),
    fallbackChannels: z.array(Channel).openapi({
      description:
        "Channels this template has no text of its own for: they send the title and message instead (email: the title as subject, the message in the branded layout; SMS: the title, then the message, cut to the segment limit).",
      example: ["sms"],
    }),
    version: z.number().int().openapi({ description: "Grows by one on every change" }),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Template");

export const TemplateList = z.object({ items: z.array(Template) }).openapi("TemplateList");

export const PreviewRequest = z
  .object({
    context: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ example: { repair: { id: "R-1042", title: "Leaking faucet" } } }),
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
      .openapi({ description: "Prices the SMS for this number's country (US/CA when absent)" }),
  })
  .strict()
  .openapi("TemplatePreviewRequest");

export const Preview = z
  .object({
    title: z.string(),
    message: z.string(),
    email: z.object({ subject: z.string(), html: z.string(), text: z.string() }).nullable(),
    sms: z
      .object({
        text: z.string(),
        encoding: z.enum(["GSM-7", "UCS-2"]),
        segments: z.number().int(),
        characters: z.number().int().openapi({ description: "Septets (GSM-7) or UTF-16 code units (UCS-2)" }),
        costUsd: z.number().openapi({ description: "Estimated cost of one send, in USD" }),
      })
      .nullable(),
  })
  .openapi("TemplatePreview");
