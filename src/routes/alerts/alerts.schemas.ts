import { z } from "@hono/zod-openapi";
import { ALERT_STATES } from "../../alerts/alert-definitions.rules.ts";
import { CHANNELS } from "../../channels/types.ts";
import { EpochMs } from "../../http/schemas.ts";

export const AlertStateName = z.enum(ALERT_STATES).openapi("AlertState");

export const Alert = z
  .object({
    name: z.string().openapi({
      description: "Unique rule instance, e.g. `HeraldDeliveryFailureRateHigh:sms`",
      example: "HeraldQueueBacklog:email",
    }),
    alert: z
      .string()
      .openapi({ description: "The Prometheus alert name (scripts/prometheus/herald.rules.yml)" }),
    severity: z.enum(["warning", "critical"]),
    // Inline, not the registered Channel: a nullable $ref loses its null in the published document.
    channel: z.enum(CHANNELS).nullable(),
    state: AlertStateName,
    since: EpochMs.nullable().openapi({
      description: "When the current state began; null if never evaluated",
    }),
    value: z
      .number()
      .nullable()
      .openapi({ description: "The rule's value at the last evaluation (a ratio, count, seconds or USD)" }),
    summary: z.string().openapi({ description: "What the rule saw, in one line (no contact data)" }),
    forMs: z
      .number()
      .int()
      .openapi({ description: "How long the condition must hold before the alert fires" }),
  })
  .openapi("Alert");

export const AlertList = z
  .object({
    alerts: z.array(Alert),
    firing: z.array(z.string()).openapi({ description: "Names of the rules firing now" }),
  })
  .openapi("AlertList");

export const AlertQuery = z.object({
  state: AlertStateName.optional().openapi({ description: "Only rules in this state" }),
});
