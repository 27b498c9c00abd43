import { describe, expect, test } from "bun:test";
import { bucketLabel, chartPeriod } from "../../src/admin/chart-period.rules.ts";

describe("overview chart period", () => {
  test("24h, 7d and 30d are offered; none means 7d", () => {
    expect(chartPeriod("24h")).toEqual({ period: "24h", issues: [] });
    expect(chartPeriod(" 30d ")).toEqual({ period: "30d", issues: [] });
    expect(chartPeriod(undefined)).toEqual({ period: "7d", issues: [] });
    expect(chartPeriod("")).toEqual({ period: "7d", issues: [] });
  });

  test("any other period is an issue, and the default is shown", () => {
    expect(chartPeriod("1y")).toEqual({
      period: "7d",
      issues: ["period must be one of 24h, 7d, 30d; showing 7d"],
    });
  });

  test("hours are labelled by clock time, days by month and day, in UTC", () => {
    const start = Date.UTC(2026, 10, 23, 14);
    expect(bucketLabel(start, "hour")).toBe("14:00");
    expect(bucketLabel(start, "day")).toBe("11-23");
  });
});
