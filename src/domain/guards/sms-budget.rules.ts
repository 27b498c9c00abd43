/**
 * The SMS budget: daily and monthly limits in USD on committed spend (SMS created in the current UTC day or
 * month that are queued, leased, sent, delivered or unknown). Pure: the spend is looked up by
 * `sms-budget.service.ts`.
 */

/** Committed SMS spend against the limits in force. */
export interface SmsSpend {
  dayUsd: number;
  monthUsd: number;
  dailyLimitUsd: number;
  monthlyLimitUsd: number;
}

/**
 * Delivery statuses whose cost counts against the budget: about to be sent, being sent, or sent (including SMS
 * the carrier then failed to deliver, `bounced`: they were paid for, and the cost alerts and report count them).
 */
export const COMMITTED_SMS_STATUSES = [
  "queued",
  "leased",
  "sent",
  "delivered",
  "bounced",
  "unknown",
] as const;

/** Start of the UTC day and UTC month containing `now` (epoch ms). */
export function budgetPeriods(now: number): { dayStart: number; monthStart: number } {
  const date = new Date(now);
  return {
    dayStart: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()),
    monthStart: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
  };
}

/** Costs are summed as floating point: compare at the micro-dollar precision costs are estimated to. */
const micro = (usd: number) => Math.round(usd * 1e6);

/** True when sending one more SMS costing `estimateUsd` would take either period over its limit. */
export function exceedsSmsBudget(spend: SmsSpend, estimateUsd: number): boolean {
  return (
    micro(spend.dayUsd + estimateUsd) > micro(spend.dailyLimitUsd) ||
    micro(spend.monthUsd + estimateUsd) > micro(spend.monthlyLimitUsd)
  );
}
