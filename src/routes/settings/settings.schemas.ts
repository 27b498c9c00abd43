import { z } from "@hono/zod-openapi";
import {
  RolloutKinds,
  RolloutMode,
  RolloutPercent,
  Usd,
} from "../../domain/ops-settings/ops-settings.input.ts";
import { EpochMs } from "../../http/schemas.ts";

const Rollout = z
  .object({ mode: RolloutMode, percent: RolloutPercent, kinds: RolloutKinds })
  .openapi("Rollout");

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
      dailyUsd: Usd.meta({ description: "Committed SMS spend allowed per UTC day" }),
      monthlyUsd: Usd.meta({ description: "Committed SMS spend allowed per UTC month" }),
    }),
    loopGuard: z.object({
      max: z.number().int().openapi({
        description: "Notifications of one template and subject to one recipient allowed per window",
      }),
      windowMinutes: z.number().int(),
    }),
  })
  .openapi("OpsSettings");
