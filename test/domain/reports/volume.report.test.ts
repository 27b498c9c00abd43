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
});
