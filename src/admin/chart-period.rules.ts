/**
 * The overview's chart period (`/admin?period=7d`): which report window and bucket each choice reads, and how a
 * bucket is labelled. Pure; a period that is not offered is an issue shown above the charts, never a guess.
 */
import type { SeriesBucket } from "../domain/reports/report-series.rules.ts";

/** The periods the overview offers, shortest first. */
export const chartPeriods = ["24h", "7d", "30d"] as const;
export type ChartPeriod = (typeof chartPeriods)[number];

/** The period shown when none is asked for. */
export const DEFAULT_CHART_PERIOD: ChartPeriod = "7d";

/** Each period's report window (the runReport option) and bucket, and how the page names it. */
export const chartPeriodSeries: Record<
  ChartPeriod,
  { window: string; bucket: SeriesBucket; label: string; span: string }
> = {
  "24h": { window: "24h", bucket: "hour", label: "24 h", span: "last 24 hours" },
  "7d": { window: "7d", bucket: "day", label: "7 d", span: "last 7 days" },
  "30d": { window: "30d", bucket: "day", label: "30 d", span: "last 30 days" },
};

/** The `period` query parameter as a period: absent means the default, anything else not offered is an issue. */
export function chartPeriod(text: string | undefined): { period: ChartPeriod; issues: string[] } {
  const value = (text ?? "").trim();
  if (value === "") return { period: DEFAULT_CHART_PERIOD, issues: [] };
  if ((chartPeriods as readonly string[]).includes(value))
    return { period: value as ChartPeriod, issues: [] };
  return {
    period: DEFAULT_CHART_PERIOD,
    issues: [`period must be one of ${chartPeriods.join(", ")}; showing ${DEFAULT_CHART_PERIOD}`],
  };
}

/** A bucket's start as its axis label in UTC: `14:00` for an hour, `11-23` for a day. */
export function bucketLabel(start: number, bucket: SeriesBucket): string {
  const iso = new Date(start).toISOString();
  return bucket === "hour" ? iso.slice(11, 16) : iso.slice(5, 10);
}
