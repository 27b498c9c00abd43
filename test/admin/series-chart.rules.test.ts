import { describe, expect, test } from "bun:test";
import { lineSegments, niceCeiling, rateScaleFloor } from "../../src/admin/series-chart.rules.ts";

describe("series chart geometry", () => {
  test("the top of a scale is the next 1, 2 or 5 × 10ⁿ", () => {
    expect([0, 0.3, 1, 3, 7, 10, 11, 48, 120, 0.012].map(niceCeiling)).toEqual([
      1, 0.5, 1, 5, 10, 10, 20, 50, 200, 0.02,
    ]);
  });

  test("a missing value breaks the line; a lone known value is a segment of one", () => {
    expect(lineSegments([1, 2, null, 4, null, null])).toEqual([
      [
        { index: 0, value: 1 },
        { index: 1, value: 2 },
      ],
      [{ index: 3, value: 4 }],
    ]);
    expect(lineSegments([null])).toEqual([]);
  });

  test("a rate scale starts a 5 % step below the lowest rate or target, and never below 0", () => {
    expect(rateScaleFloor([1, 0.99, null], [0.95, 0.98])).toBe(0.9);
    expect(rateScaleFloor([0.62], [0.95])).toBe(0.55);
    expect(rateScaleFloor([0.02], [0.95])).toBe(0);
    expect(rateScaleFloor([null], [])).toBe(0);
  });
});
