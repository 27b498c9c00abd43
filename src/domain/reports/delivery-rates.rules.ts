/**
 * Delivery rate against the operations targets. The rate is the share of finished deliveries that reached the
 * provider and were not bounced or complained about: (sent + delivered) / (sent + delivered + failed + bounced +
 * complained). Deliveries still queued, leased, unknown, skipped or digested are not finished and are counted
 * apart (`pending`, `unknown`), never in the rate.
 */
import type { Channel } from "../../channels/types.ts";
import { ratio } from "./report-window.rules.ts";

/**
 * The targets from the operations guide ("95 % / 98 %"): email must reach 95 %, SMS 98 %. Email gets the looser
 * one because bounces to mistyped or abandoned addresses are normal for email and count against the rate; an
 * SMS to a verified E.164 number that fails is a provider or budget problem worth an alert.
 */
export const deliveryRateTargets: Record<Channel, number> = { email: 0.95, sms: 0.98 };

/** Status counts of one channel over one period, as the query returns them. */
export type StatusCounts = Partial<Record<string, number>>;

/** One channel's figures over some span: what finished how, what has not finished, and the rate. */
export interface DeliveryRateFigures {
  sent: number;
  delivered: number;
  failed: number;
  bounced: number;
  complained: number;
  /** Queued or being sent: not finished yet. */
  pending: number;
  /** The send's outcome is unknown (the process died mid-send); needs an operator. */
  unknown: number;
  /** (sent + delivered) / finished; null when nothing finished in the period. */
  rate: number | null;
  target: number;
  /** Null when there is no rate to judge. */
  meetsTarget: boolean | null;
}

/** One channel over one period. */
export interface DeliveryRateRow extends DeliveryRateFigures {
  channel: Channel;
  period: "24h" | "7d";
  from: number;
}

/** Both channels over one bucket of a series (the console's charts). */
export interface DeliveryRatePoint {
  start: number;
  email: DeliveryRateFigures;
  sms: DeliveryRateFigures;
}

/** Shapes one channel's status counts into its figures against its target. */
export function deliveryRateFigures(channel: Channel, counts: StatusCounts): DeliveryRateFigures {
  const n = (status: string) => counts[status] ?? 0;
  const succeeded = n("sent") + n("delivered");
  const unsuccessful = n("failed") + n("bounced") + n("complained");
  const rate = ratio(succeeded, succeeded + unsuccessful);
  const target = deliveryRateTargets[channel];
  return {
    sent: n("sent"),
    delivered: n("delivered"),
    failed: n("failed"),
    bounced: n("bounced"),
    complained: n("complained"),
    pending: n("queued") + n("leased"),
    unknown: n("unknown"),
    rate,
    target,
    meetsTarget: rate === null ? null : rate >= target,
  };
}

/** Shapes one channel's status counts over one period into a report row. */
export function deliveryRateRow(
  channel: Channel,
  period: DeliveryRateRow["period"],
  from: number,
  counts: StatusCounts,
): DeliveryRateRow {
  return { channel, period, from, ...deliveryRateFigures(channel, counts) };
}

/**
 * Deliveries a channel made: every one that went, goes or may have gone to the provider (finished, pending or
 * unknown), which leaves out the ones skipped, held for or carried by a digest, and cancelled.
 */
export function deliveriesMade(f: DeliveryRateFigures): number {
  return f.sent + f.delivered + f.failed + f.bounced + f.complained + f.pending + f.unknown;
}
