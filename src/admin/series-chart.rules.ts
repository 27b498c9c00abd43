/**
 * The geometry of a time-series chart, apart from its markup: where the scale ends and which points join into
 * lines. Pure, so the chart's arithmetic is tested without rendering.
 */

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value`, so the top of a scale reads as a round number; 1 for 0. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= value * (1 - 1e-9)) ?? 10;
  return step * magnitude;
}

/** One point of a line: its position in the series and its value. */
export interface SeriesPoint {
  index: number;
  value: number;
}

/** The runs of consecutive known values of a series: a missing value (null) breaks the line instead of faking 0. */
export function lineSegments(values: readonly (number | null)[]): SeriesPoint[][] {
  const segments: SeriesPoint[][] = [];
  let current: SeriesPoint[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push({ index, value });
  });
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * The bottom of a rate chart's scale: a 5 % step below the lowest rate and target, so the few points between
 * 90 % and 100 % that matter are not squeezed against the top of a 0-100 % scale; never below 0.
 */
export function rateScaleFloor(values: readonly (number | null)[], targets: readonly number[]): number {
  const lowest = Math.min(...targets, ...values.filter((v): v is number => v !== null));
  if (!Number.isFinite(lowest)) return 0;
  // The epsilon keeps a value that float arithmetic lands a hair under a step on that step.
  return Math.max(0, (Math.floor(lowest * 20 + 1e-9) - 1) / 20);
}
