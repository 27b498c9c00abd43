import { z } from "@hono/zod-openapi";
import { HH_MM } from "../../domain/preferences/preferences.rules.ts";

export const LinkQuery = z.object({
  token: z.string().min(1).max(600).openapi({
    description: 'The signed token from the email\'s "Manage your notification preferences" link',
  }),
  saved: z
    .literal("1")
    .optional()
    .openapi({ description: "Set by the redirect after saving: shows a notice" }),
});

export const SaveQuery = LinkQuery.pick({ token: true });

/** A checkbox: present ("on") when ticked, absent when not. */
const checkbox = z.literal("on").optional();
/** A repeated field: one value arrives as a string, several as an array, none as nothing. */
const topics = z
  .union([z.string().max(64), z.array(z.string().max(64)).max(100)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const PreferenceFormBody = z
  .object({
    emailEnabled: checkbox,
    smsEnabled: checkbox,
    shown: topics,
    email: topics,
    sms: topics,
    digest: topics,
    quietHoursEnabled: checkbox,
    quietStart: z.string().regex(HH_MM, "HH:MM"),
    quietEnd: z.string().regex(HH_MM, "HH:MM"),
    digestHour: z.coerce.number().int().min(0).max(23),
  })
  .openapi("PreferenceForm");
