import { z } from "@hono/zod-openapi";
import { PRIORITIES, type Priority } from "../../domain/priorities.ts";
import { reportNames } from "../../domain/reports/report-catalogue.ts";
import { retentionCategories } from "../../domain/retention/retention.rules.ts";
import { Channel, EpochMs } from "../../http/schemas.ts";

const Share = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .openapi({ description: "A share 0-1 (4 decimals); null when nothing to divide" });
const Usd = z.number().openapi({ description: "US dollars" });
const Count = z.number().int().min(0);

/** Window fields every windowed report echoes. */
const windowFields = {
  window: z.string().openapi({ example: "7d" }),
  from: EpochMs,
  to: EpochMs,
};

export const ReportParams = z.object({
  name: z
    .string()
    .max(64)
    .openapi({
      param: { name: "name", in: "path" },
      description: `One of: ${reportNames.join(", ")}`,
      example: "delivery-rates",
    }),
});

const DeliveryRates = z
  .object({
    report: z.literal("delivery-rates"),
    generatedAt: EpochMs,
    rows: z.array(
      z.object({
        channel: Channel,
        period: z.enum(["24h", "7d"]),
        from: EpochMs,
        sent: Count,
        delivered: Count,
        failed: Count,
        bounced: Count,
        complained: Count,
        pending: Count,
        unknown: Count,
        rate: Share.openapi({
          description: "(sent + delivered) / (sent + delivered + failed + bounced + complained)",
        }),
        target: z.number().openapi({ description: "0.95 for email, 0.98 for SMS" }),
        meetsTarget: z.boolean().nullable(),
      }),
    ),
  })
  .openapi("DeliveryRatesReport");

const CountUsd = z.object({ count: Count, usd: Usd });

const SmsCosts = z
  .object({
    report: z.literal("sms-costs"),
    generatedAt: EpochMs,
    days: z.array(z.object({ date: z.string().openapi({ example: "2026-11-23" }), count: Count, usd: Usd })),
    week: CountUsd.openapi({ description: "The last 7 UTC days, today included" }),
    previousWeek: CountUsd.openapi({ description: "The 7 UTC days before `week`" }),
    weekChange: z.object({
      usd: z.number().openapi({ description: "week − previousWeek (negative when spend fell)" }),
      share: z.number().nullable().openapi({
        description: "The change as a share of previousWeek (0.25 = +25 %); null when it cost nothing",
      }),
    }),
    monthToDate: CountUsd,
    monthProjectionUsd: Usd,
    budget: z.object({ todayUsd: Usd, dailyLimitUsd: Usd, monthUsd: Usd, monthlyLimitUsd: Usd }),
  })
  .openapi("SmsCostsReport");

/** One count per priority (typed by the one list, so a new priority cannot be left out). */
const priorityCounts = Object.fromEntries(PRIORITIES.map((p) => [p, Count])) as Record<
  Priority,
  typeof Count
>;

const Volume = z
  .object({
    report: z.literal("volume"),
    generatedAt: EpochMs,
    ...windowFields,
    total: Count,
    byPriority: z.object(priorityCounts),
    byCategory: z.array(z.object({ category: z.string(), total: Count, ...priorityCounts })),
    urgentShare: Share,
  })
  .openapi("VolumeReport");

const Failures = z
  .object({
    report: z.literal("failures"),
    generatedAt: EpochMs,
    ...windowFields,
    channels: z.array(
      z.object({ channel: Channel, attempts: Count, unsuccessful: Count, unsuccessfulShare: Share }),
    ),
    top: z.array(
      z.object({
        channel: Channel,
        errorCode: z.string().nullable(),
        errorMessage: z.string().nullable().openapi({ description: "With addresses and numbers redacted" }),
        count: Count,
        lastAt: EpochMs,
      }),
    ),
  })
  .openapi("FailuresReport");

const TopSmsRecipients = z
  .object({
    report: z.literal("top-sms-recipients"),
    generatedAt: EpochMs,
    ...windowFields,
    recipients: z.array(z.object({ recipientId: z.string(), count: Count, usd: Usd })),
  })
  .openapi("TopSmsRecipientsReport");

const Loops = z
  .object({
    report: z.literal("loops"),
    generatedAt: EpochMs,
    ...windowFields,
    loopGuard: z.object({ max: z.number().int(), windowMinutes: z.number().int() }),
    candidates: z.array(
      z.object({
        recipientId: z.string(),
        template: z.string(),
        subjectType: z.string().nullable(),
        subjectId: z.string().nullable(),
        count: Count,
        lastAt: EpochMs,
        skipped: Count,
        overLimit: z.boolean(),
      }),
    ),
    skipped: z.array(z.object({ channel: Channel, count: Count })),
  })
  .openapi("LoopsReport");

const Retention = z
  .object({
    report: z.literal("retention"),
    generatedAt: EpochMs,
    at: EpochMs,
    policy: z.object({
      period: z.enum(["week", "day"]),
      deliveryDays: z.number(),
      readNotificationDays: z.number(),
      idempotencyHours: z.number(),
      outboxDays: z.number(),
      schedulerRunDays: z.number(),
      snsMessageHours: z.number(),
      alertEventDays: z.number(),
      batchSize: z.number().int(),
    }),
    window: z.string().openapi({ example: "2026-W48" }),
    nextRunAt: EpochMs,
    lastRun: z
      .object({
        window: z.string(),
        startedAt: EpochMs,
        finishedAt: EpochMs.nullable(),
        result: z.record(z.string(), z.unknown()).nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    categories: z.array(
      z.object({
        category: z.enum(retentionCategories),
        description: z.string(),
        cutoff: EpochMs,
        oldestAt: EpochMs.nullable(),
        toRemove: Count,
      }),
    ),
  })
  .openapi("RetentionReport");

/** Any report; `report` names which. */
export const Report = z
  .discriminatedUnion("report", [
    DeliveryRates,
    SmsCosts,
    Volume,
    Failures,
    TopSmsRecipients,
    Loops,
    Retention,
  ])
  .openapi("Report");
