import { z } from "@hono/zod-openapi";
import { EpochMs } from "../../http/schemas.ts";

const RecipientKind = z.enum(["technician", "customer", "staff"]);
const RolloutMode = z.enum(["all", "none", "staff", "percent", "kinds"]).openapi({
  description:
    "`all`: every recipient; `none`: nobody; `staff`: recipients of kind staff; `percent`: a stable share of recipients (by a hash of their id); `kinds`: the listed kinds",
});
const percent = z
  .number()
  .int()
  .min(0)
  .max(100)
  .openapi({ description: "For `percent`: the share of recipients, 0-100" });
const kinds = z
  .array(RecipientKind)
  .max(3)
  .openapi({ description: "For `kinds`: the recipient kinds that get the channel" });

const Rollout = z.object({ mode: RolloutMode, percent, kinds }).openapi("Rollout");

const RolloutInput = z
  .object({ mode: RolloutMode.optional(), percent: percent.optional(), kinds: kinds.optional() })
  .strict()
  .openapi("RolloutInput");

const usd = z.number().nonnegative().max(1_000_000);

/** The operator settings in force. */
export const OpsSettings = z
  .object({
    maintenance: z.object({
      enabled: z.boolean().openapi({
        description: "While true, no email or SMS is handed to a provider; deliveries wait in the queue",
      }),
      reason: z.string().nullable(),
      since: EpochMs.nullable(),
    }),
    rollout: z.object({ email: Rollout, sms: Rollout }),
    smsBudget: z.object({
      dailyUsd: usd.openapi({ description: "Committed SMS spend allowed per UTC day" }),
      monthlyUsd: usd.openapi({ description: "Committed SMS spend allowed per UTC month" }),
    }),
    loopGuard: z.object({
      max: z.number().int().openapi({
        description: "Notifications of one template and subject to one recipient allowed per window",
      }),
      windowMinutes: z.number().int(),
    }),
  })
  .openapi("OpsSettings");

/** A partial update: sections and fields left out keep their value. */
export const OpsSettingsInput = z
  .object({
    maintenance: z
      .object({
        enabled: z.boolean(),
        reason: z
          .string()
          .trim()
          .min(1)
          .max(500)
          .nullable()
          .optional()
          .openapi({ description: "A note for other operators (kept while on)" }),
      })
      .strict()
      .optional(),
    rollout: z.object({ email: RolloutInput.optional(), sms: RolloutInput.optional() }).strict().optional(),
    smsBudget: z.object({ dailyUsd: usd.optional(), monthlyUsd: usd.optional() }).strict().optional(),
    loopGuard: z
      .object({
        max: z.number().int().min(1).max(10_000).optional(),
        windowMinutes: z.number().int().min(1).max(10_080).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("OpsSettingsInput", { description: "Fields left out keep their current value." });
