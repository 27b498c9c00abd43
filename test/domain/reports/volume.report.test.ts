import { describe, expect, test } from "bun:test";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "./report-fixtures.ts";

describe("volume report", () => {
  test("counts by category and priority with the URGENT share, over 7 d by default or the given window", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    const n = (createdAt: number, category: string, priority: "URGENT" | "HIGH" | "MEDIUM" | "LOW") => ({
      recipientId: "r1",
      createdAt,
      category,
      priority,
    });
    await addNotifications(deps, [n(NOW - 2 * HOUR, "repair", "URGENT")], 3);
    await addNotifications(deps, [n(NOW - 2 * DAY, "repair", "HIGH")]);
    await addNotifications(deps, [n(NOW - 3 * DAY, "marketing", "LOW")], 4);
    await addNotifications(deps, [n(NOW - 8 * DAY, "repair", "URGENT")], 5); // outside 7 d

    const week = await runReport(deps, "volume");
    if (week.report !== "volume") throw new Error("wrong report");
    expect(week).toMatchObject({ window: "7d", from: NOW - 7 * DAY, to: NOW, total: 8, urgentShare: 0.375 });
    expect(week.byPriority).toEqual({ URGENT: 3, HIGH: 1, MEDIUM: 0, LOW: 4 });
    expect(week.byCategory).toEqual([
      { category: "marketing", total: 4, URGENT: 0, HIGH: 0, MEDIUM: 0, LOW: 4 },
      { category: "repair", total: 4, URGENT: 3, HIGH: 1, MEDIUM: 0, LOW: 0 },
    ]);

    const day = await runReport(deps, "volume", { window: "24h" });
    expect(day).toMatchObject({
      total: 3,
      urgentShare: 1,
      byPriority: { URGENT: 3, HIGH: 0, MEDIUM: 0, LOW: 0 },
    });

    const empty = await runReport(deps, "volume", { window: "1h" });
    expect(empty).toMatchObject({ total: 0, urgentShare: null, byCategory: [] });
  });

  test("a malformed or over-long window is a validation error", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await expect(runReport(deps, "volume", { window: "7 days" })).rejects.toMatchObject({
      code: "validation-failed",
    });
    await expect(runReport(deps, "volume", { window: "400d" })).rejects.toMatchObject({
      code: "validation-failed",
    });
  });

  test("a series counts product notifications per UTC day or hour, every bucket present", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1", "herald-operator"]);
    const at = (createdAt: number, recipientId = "r1") => ({ recipientId, createdAt });
    await addNotifications(deps, [at(NOW - HOUR)], 3); // today, 11:00
    await addNotifications(deps, [at(NOW - 30 * 60_000)], 2); // today, 11:30
    await addNotifications(deps, [at(NOW - 2 * DAY)]); // two days ago
    await addNotifications(deps, [at(NOW - 7 * DAY)]); // before the 7 days
    await addNotifications(deps, [at(NOW - HOUR, "herald-operator")]); // an alert email: not product traffic

    const week = await runReport(deps, "volume", { window: "7d", series: "day" });
    if (week.report !== "volume") throw new Error("wrong report");
    const today = NOW - 12 * HOUR;
    expect(week.series?.map((p) => p.count)).toEqual([0, 0, 0, 0, 1, 0, 5]);
    expect(week.series?.[0]?.start).toBe(today - 6 * DAY);
    expect(week.series?.at(-1)?.start).toBe(today);

    const day = await runReport(deps, "volume", { window: "24h", series: "hour" });
    if (day.report !== "volume") throw new Error("wrong report");
    expect(day.series).toHaveLength(24);
    expect(day.series?.find((p) => p.start === NOW - HOUR)?.count).toBe(5);
    expect(day.series?.reduce((n, p) => n + p.count, 0)).toBe(5);

    // Asked for nothing, the API's answer has no series.
    expect(await runReport(deps, "volume")).not.toHaveProperty("series");
  });
});
