/**
 * A report's figures per UTC hour or UTC day (the console's charts). A series covers whole buckets: the one that
 * holds `now` (partial, last) and as many before it as the window spans, so each point is a clock hour or a
 * calendar day an operator can name, and a daily series' last seven points are the same UTC days the SMS spend
 * counts as "the last 7 days".
 */
import { DAY_MS, HOUR_MS, type ReportWindow } from "./report-window.rules.ts";

/** The buckets a series can be counted in. */
export const seriesBuckets = ["hour", "day"] as const;
export type SeriesBucket = (typeof seriesBuckets)[number];

/** One bucket's length in ms. */
export const BUCKET_MS: Record<SeriesBucket, number> = { hour: HOUR_MS, day: DAY_MS };

/** The span a series counts: the start of its first bucket to the report's `now`. */
export interface SeriesRange {
  bucket: SeriesBucket;
  from: number;
  to: number;
}

/** The whole buckets covering `window` (at least one), ending with the bucket that holds `window.to`. */
export function seriesRange(window: ReportWindow, bucket: SeriesBucket): SeriesRange {
  const size = BUCKET_MS[bucket];
  const count = Math.max(1, Math.ceil((window.to - window.from) / size));
  const last = Math.floor(window.to / size) * size;
  return { bucket, from: last - (count - 1) * size, to: window.to };
}

/** The start of every bucket of `range`, oldest first. */
export function bucketStarts(range: SeriesRange): number[] {
  const size = BUCKET_MS[range.bucket];
  const starts: number[] = [];
  for (let start = range.from; start <= range.to; start += size) starts.push(start);
  return starts;
}

/**
 * One point per bucket of `range`, oldest first: `point(start, rows)` gets the rows whose `bucket` is that start
 * (none for an empty bucket, so every bucket is there and a quiet hour reads as zero rather than as a gap).
 */
export function seriesPoints<R extends { bucket: number }, P>(
  range: SeriesRange,
  rows: R[],
  point: (start: number, rows: R[]) => P,
): P[] {
  const byBucket = Map.groupBy(rows, (r) => r.bucket);
  return bucketStarts(range).map((start) => point(start, byBucket.get(start) ?? []));
}
