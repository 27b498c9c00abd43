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
    categoryOptOuts: z
      .object({ email: Categories, sms: Categories })
      .strict()
      .openapi({
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
