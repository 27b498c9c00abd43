import { z } from "@hono/zod-openapi";
import { HH_MM } from "../../domain/preferences/preferences.rules.ts";

const LocalTime = z
  .string()
  .regex(HH_MM, "must be a local time HH:MM between 00:00 and 23:59")
  .openapi({ example: "22:00" });
const Category = z.string().min(1).max(64);
const Categories = z.array(Category).max(100);

/**
 * The whole preference document: `GET` returns it, `PUT` replaces it (every field required, unknown fields
 * refused), so a client can read, edit and write it back.
 */
export const Preferences = z
  .object({
    emailEnabled: z.boolean(),
    smsEnabled: z.boolean(),
    categoryOptOuts: z.object({ email: Categories, sms: Categories }).strict().openapi({
      description: "Categories (e.g. `marketing`) not to send per channel; the in-app copy is always kept",
    }),
    quietHours: z
      .object({ enabled: z.boolean(), start: LocalTime, end: LocalTime })
      .strict()
      .refine((q) => q.start !== q.end, { path: ["end"], message: "must differ from start" })
      .openapi({
        description:
          "A daily window in the recipient's time zone when non-URGENT email and SMS wait; start after end crosses midnight",
      }),
    digestHour: z
      .number()
      .int()
      .min(0)
      .max(23)
      .openapi({ description: "Local hour of the daily digest (0-23)" }),
    digestCategories: Categories.default([]).openapi({
      description:
        "Categories whose non-URGENT emails go into the daily digest instead of one by one (optional on PUT; default none)",
    }),
  })
  .strict()
  .openapi("Preferences", {
    example: {
      emailEnabled: true,
      smsEnabled: true,
      categoryOptOuts: { email: [], sms: ["marketing"] },
      quietHours: { enabled: true, start: "22:00", end: "07:00" },
      digestHour: 9,
      digestCategories: ["reminder"],
    },
  });

/**
 * A JSON merge patch (RFC 7396) of {@link Preferences}: every member optional, `null` puts it back to its default,
 * nested objects merge member by member, arrays replace the stored list. Unknown members are refused.
 */
export const PreferencesPatch = z
  .object({
    emailEnabled: z.boolean().nullable().optional(),
    smsEnabled: z.boolean().nullable().optional(),
    categoryOptOuts: z
      .object({ email: Categories.nullable().optional(), sms: Categories.nullable().optional() })
      .strict()
      .nullable()
      .optional(),
    quietHours: z
      .object({
        enabled: z.boolean().nullable().optional(),
        start: LocalTime.nullable().optional(),
        end: LocalTime.nullable().optional(),
      })
      .strict()
      .nullable()
      .optional(),
    digestHour: z.number().int().min(0).max(23).nullable().optional(),
    digestCategories: Categories.nullable().optional(),
  })
  .strict()
  .openapi("PreferencesPatch", {
    description:
      "A JSON merge patch (RFC 7396): only the members named change; `null` puts a member back to its default; arrays replace the stored list.",
    example: { smsEnabled: false, quietHours: { enabled: true }, digestHour: null },
  });

/** The request body of a merge patch: `application/merge-patch+json`, or `application/json` for simple clients. */
export function mergePatchBody<T extends z.ZodType>(schema: T) {
  return {
    required: true,
    description: "A JSON merge patch (RFC 7396)",
    content: { "application/merge-patch+json": { schema }, "application/json": { schema } },
  };
}
