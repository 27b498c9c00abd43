import { describe, expect, test } from "bun:test";
import { bucketStarts, seriesPoints, seriesRange } from "../../../src/domain/reports/report-series.rules.ts";
import { reportWindow } from "../../../src/domain/reports/report-window.rules.ts";
import { DAY, HOUR, NOW } from "./report-fixtures.ts";

describe("report series", () => {
  test("24 h in hours is the current clock hour and the 23 before it", () => {
    const now = NOW + 25 * 60_000; // 12:25
    const range = seriesRange(reportWindow("24h", now), "hour");
    expect(range).toEqual({ bucket: "hour", from: NOW - 23 * HOUR, to: now });
    const starts = bucketStarts(range);
    expect(starts).toHaveLength(24);
    expect(starts.at(-1)).toBe(NOW);
  });

  test("7 d in days is today (UTC) and the 6 days before; a part-day window takes a whole day more", () => {
    const today = NOW - 12 * HOUR;
    expect(seriesRange(reportWindow("7d", NOW), "day")).toEqual({
      bucket: "day",
      from: today - 6 * DAY,
      to: NOW,
    });
    expect(bucketStarts(seriesRange(reportWindow("30d", NOW), "day"))).toHaveLength(30);
    expect(bucketStarts(seriesRange(reportWindow("36h", NOW), "day"))).toEqual([today - DAY, today]);
    expect(bucketStarts(seriesRange(reportWindow("1h", NOW), "day"))).toEqual([today]);
  });

  test("every bucket gets a point, empty ones from no rows, in time order", () => {
    const range = seriesRange(reportWindow("3h", NOW), "hour");
    const rows = [
      { bucket: NOW, n: 2 },
      { bucket: NOW - 2 * HOUR, n: 5 },
      { bucket: NOW, n: 1 },
    ];
    const points = seriesPoints(range, rows, (start, inBucket) => ({
      start,
      total: inBucket.reduce((sum, r) => sum + r.n, 0),
    }));
    expect(points).toEqual([
      { start: NOW - 2 * HOUR, total: 5 },
      { start: NOW - HOUR, total: 0 },
      { start: NOW, total: 3 },
    ]);
  });
});
