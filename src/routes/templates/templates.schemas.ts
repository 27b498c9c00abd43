import { z } from "@hono/zod-openapi";
import { Channel, EpochMs, Priority } from "../../http/schemas.ts";

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
