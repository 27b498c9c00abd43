/**
 * Pure retention decisions: what each category keeps, the cut-off instants at `now`, and the run window
 * (one run per ISO week or UTC day, keyed so restarts and concurrent processes run it once).
 */

import type { DeliveryStatus } from "../../../db/schema.ts";
import type { Config } from "../../config.ts";
import { IDEMPOTENCY_TTL_MS } from "../idempotency/idempotency.ts";

const DAY_MS = 86_400_000;

/** What retention removes, in the order a run removes it. */
export const retentionCategories = [
  "delivery-attempts",
  "deliveries",
  "read-notifications",
  "idempotency-keys",
  "outbox-messages",
  "scheduler-runs",
  "sns-messages",
  "alert-events",
] as const;
export type RetentionCategory = (typeof retentionCategories)[number];

/** How long each kind of row is kept, and how a run proceeds. */
export interface RetentionPolicy {
  period: "week" | "day";
  deliveryDays: number;
  readNotificationDays: number;
  /** Idempotency keys are only replayable for 24 h, so keeping them longer serves nothing. */
  idempotencyHours: number;
  outboxDays: number;
  schedulerRunDays: number;
  /** Applied SNS message ids only guard against retries and replays inside SNS's one-hour freshness window. */
  snsMessageHours: number;
  /** The alert history the admin console shows. */
  alertEventDays: number;
  batchSize: number;
}

/** The policy from configuration (outbox, scheduler-run and alert-history ages are fixed: nothing depends on them longer). */
export function retentionPolicy(config: Config): RetentionPolicy {
  return {
    period: config.HERALD_RETENTION_PERIOD,
    deliveryDays: config.HERALD_RETENTION_DELIVERY_DAYS,
    readNotificationDays: config.HERALD_RETENTION_READ_DAYS,
    idempotencyHours: IDEMPOTENCY_TTL_MS / 3_600_000,
    outboxDays: 30,
    schedulerRunDays: 90,
    snsMessageHours: 24,
    alertEventDays: 90,
    batchSize: config.HERALD_RETENTION_BATCH,
  };
}

/**
 * Delivery states that ended without a failure: only these (and their attempt log) are ever deleted.
 * Failed, unknown, bounced and complained deliveries are the evidence operators need and are kept; queued,
 * leased and digest ones are work not yet done.
 */
export const removableDeliveryStatuses = [
  "sent",
  "delivered",
  "skipped",
  "cancelled",
  "digested",
] as const satisfies readonly DeliveryStatus[];

/** Rows created before these instants are eligible, per category. */
export type RetentionCutoffs = Record<RetentionCategory, number>;

/** The cut-off instant of each category at `now`. */
export function retentionCutoffs(policy: RetentionPolicy, now: number): RetentionCutoffs {
  const deliveries = now - policy.deliveryDays * DAY_MS;
  return {
    "delivery-attempts": deliveries,
    deliveries,
    "read-notifications": now - policy.readNotificationDays * DAY_MS,
    "idempotency-keys": now - policy.idempotencyHours * 3_600_000,
    "outbox-messages": now - policy.outboxDays * DAY_MS,
    "scheduler-runs": now - policy.schedulerRunDays * DAY_MS,
    "sns-messages": now - policy.snsMessageHours * 3_600_000,
    "alert-events": now - policy.alertEventDays * DAY_MS,
  };
}

/** The ISO 8601 week of `instant` in UTC, e.g. `2026-W48` (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekKey(instant: number): string {
  const date = new Date(instant);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(midnight + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The run window that `instant` falls in: an ISO week (`2026-W48`) or a UTC day (`2026-11-23`). */
export function retentionWindow(period: RetentionPolicy["period"], instant: number): string {
  return period === "week" ? isoWeekKey(instant) : new Date(instant).toISOString().slice(0, 10);
}

/** When the window after the one holding `instant` begins (Monday 00:00 UTC, or the next UTC midnight). */
export function nextWindowStart(period: RetentionPolicy["period"], instant: number): number {
  const date = new Date(instant);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === "day") return midnight + DAY_MS;
  const weekday = (date.getUTCDay() + 6) % 7;
  return midnight + (7 - weekday) * DAY_MS;
}
