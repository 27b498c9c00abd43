/**
 * SMS spend per UTC day, the last 7 days against the 7 before them (the operator's weekly check), and the month,
 * with a naive month projection. An SMS costs money once
 * the provider accepted it (`sent_at` is set), whatever feedback says later; its cost is `deliveries.cost_usd`
 * (the provider's price once sent, the estimate before).
 */
import { DAY_MS, usd, utcDate, utcDayStart } from "./report-window.rules.ts";

/** Days listed by the report, today included. */
export const SMS_COST_DAYS = 30;

/** Sent SMS of one UTC day (epoch ms of its start), as the query returns them. */
export interface DayTotal {
  dayStart: number;
  count: number;
  usd: number;
}

/** One day of the report. */
export interface SmsCostDay {
  date: string;
  count: number;
  usd: number;
}

/** The shaped totals. */
export interface SmsCostTotals {
  /** The last {@link SMS_COST_DAYS} UTC days, oldest first, days without SMS included as zeros. */
  days: SmsCostDay[];
  /** The last 7 UTC days, today included. */
  week: { count: number; usd: number };
  /** The 7 UTC days before {@link week}. */
  previousWeek: { count: number; usd: number };
  /** `week` − `previousWeek`: in USD, and as a share of the previous week (null when it cost nothing). */
  weekChange: { usd: number; share: number | null };
  monthToDate: { count: number; usd: number };
  /** Month-to-date spend / days elapsed (today counts as one) × days in the month. */
  monthProjectionUsd: number;
}

/** The earliest instant the report needs rows from: 30 days back or the month start, whichever is earlier. */
export function smsCostsFrom(now: number): number {
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return Math.min(monthStart, utcDayStart(now) - (SMS_COST_DAYS - 1) * DAY_MS);
}

/** Shapes per-day totals (any order, any days) into the report's days, week, month and projection. */
export function smsCostTotals(totals: DayTotal[], now: number): SmsCostTotals {
  const byDay = new Map(totals.map((t) => [t.dayStart, t]));
  const today = utcDayStart(now);
  const days: SmsCostDay[] = [];
  for (let i = SMS_COST_DAYS - 1; i >= 0; i--) {
    const start = today - i * DAY_MS;
    const t = byDay.get(start);
    days.push({ date: utcDate(start), count: t?.count ?? 0, usd: usd(t?.usd ?? 0) });
  }
  const sum = (rows: DayTotal[]) => ({
    count: rows.reduce((n, r) => n + r.count, 0),
    usd: usd(rows.reduce((n, r) => n + r.usd, 0)),
  });
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const monthToDate = sum(totals.filter((t) => t.dayStart >= monthStart && t.dayStart <= today));
  const sevenDaysTo = (last: number) =>
    sum(totals.filter((t) => t.dayStart > last - 7 * DAY_MS && t.dayStart <= last));
  const week = sevenDaysTo(today);
  const previousWeek = sevenDaysTo(today - 7 * DAY_MS);
  return {
    days,
    week,
    previousWeek,
    weekChange: {
      usd: usd(week.usd - previousWeek.usd),
      share:
        previousWeek.usd > 0
          ? Math.round(((week.usd - previousWeek.usd) / previousWeek.usd) * 1000) / 1000
          : null,
    },
    monthToDate,
    monthProjectionUsd: usd((monthToDate.usd / date.getUTCDate()) * daysInMonth),
  };
}
