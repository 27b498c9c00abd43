/**
 * What an operator may send to change the settings (`PUT /v1/settings`, `herald settings set`): one contract,
 * so the CLI refuses exactly what the API refuses. Plain zod; descriptions are zod metadata, which the API's
 * OpenAPI document reads.
 */
import { z } from "zod";

export const RecipientKind = z.enum(["technician", "customer", "staff"]);
export const RolloutMode = z.enum(["all", "none", "staff", "percent", "kinds"]).meta({
  description:
    "`all`: every recipient; `none`: nobody; `staff`: recipients of kind staff; `percent`: a stable share of recipients (by a hash of their id); `kinds`: the listed kinds",
});
export const RolloutPercent = z
  .number()
  .int()
  .min(0)
  .max(100)
  .meta({ description: "For `percent`: the share of recipients, 0-100" });
export const RolloutKinds = z
  .array(RecipientKind)
  .max(3)
  .meta({ description: "For `kinds`: the recipient kinds that get the channel" });
export const Usd = z.number().nonnegative().max(1_000_000);

const RolloutInput = z
  .object({
    mode: RolloutMode.optional(),
    percent: RolloutPercent.optional(),
    kinds: RolloutKinds.optional(),
  })
  .strict()
  .meta({ id: "RolloutInput" });

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
          .meta({ description: "A note for other operators (kept while on)" }),
      })
      .strict()
      .optional(),
    rollout: z.object({ email: RolloutInput.optional(), sms: RolloutInput.optional() }).strict().optional(),
    smsBudget: z.object({ dailyUsd: Usd.optional(), monthlyUsd: Usd.optional() }).strict().optional(),
    loopGuard: z
      .object({
        max: z.number().int().min(1).max(10_000).optional(),
        windowMinutes: z.number().int().min(1).max(10_080).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: "OpsSettingsInput", description: "Fields left out keep their current value." });
