import { describe, expect, test } from "bun:test";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { smsCostTotals } from "../../../src/domain/reports/sms-costs.rules.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, HOUR, NOW } from "./report-fixtures.ts";

const sms = (createdAt: number, costUsd: number, sent = true) => ({
  recipientId: "r1",
  createdAt,
  deliveries: [
    {
      channel: "sms" as const,
      status: sent ? ("sent" as const) : ("queued" as const),
      sentAt: sent ? createdAt : undefined,
      costUsd,
    },
  ],
});

describe("sms-costs report", () => {
  test("per-day counts and cost, the week, month to date, projection and the budget", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    await addNotifications(deps, [sms(NOW - HOUR, 0.00645)], 2); // today
    await addNotifications(deps, [sms(Date.UTC(2026, 10, 20, 8), 0.01)], 3); // in the week
    await addNotifications(deps, [sms(Date.UTC(2026, 10, 10, 8), 0.5)]); // this month, not the week
    await addNotifications(deps, [sms(Date.UTC(2026, 9, 31, 8), 1)]); // in the 30 days, last month
    await addNotifications(deps, [sms(Date.UTC(2026, 9, 20, 8), 2)]); // older than 30 days
    await addNotifications(deps, [sms(NOW - HOUR, 0.2, false)]); // queued: committed to the budget, not spent
    await addNotifications(deps, [
      {
        recipientId: "r1",
        createdAt: NOW - HOUR,
        deliveries: [{ channel: "email", status: "sent", sentAt: NOW - HOUR, costUsd: 9 }],
      },
    ]);

    const report = await runReport(deps, "sms-costs");
    if (report.report !== "sms-costs") throw new Error("wrong report");
    expect(report.days).toHaveLength(30);
    expect(report.days[0]).toEqual({ date: "2026-10-25", count: 0, usd: 0 });
    expect(report.days.find((d) => d.date === "2026-10-31")).toEqual({
      date: "2026-10-31",
      count: 1,
      usd: 1,
    });
    expect(report.days.find((d) => d.date === "2026-11-20")).toEqual({
      date: "2026-11-20",
      count: 3,
      usd: 0.03,
    });
    expect(report.days.at(-1)).toEqual({ date: "2026-11-23", count: 2, usd: 0.0129 });
    expect(report.week).toEqual({ count: 5, usd: 0.0429 });
    // The weekly check: the 7 days before (Nov 10-16) held the $0.50 SMS; spend fell by 91.4 %.
    expect(report.previousWeek).toEqual({ count: 1, usd: 0.5 });
    expect(report.weekChange).toEqual({ usd: -0.4571, share: -0.914 });
    expect(report.monthToDate).toEqual({ count: 6, usd: 0.5429 });
    expect(report.monthProjectionUsd).toBe(0.70813); // 0.5429 / 23 days × 30 days
    expect(report.budget).toEqual({
      todayUsd: 0.2129,
      dailyLimitUsd: 50,
      monthUsd: 0.7429,
      monthlyLimitUsd: 1500,
    });
  });
});

describe("sms-costs series", () => {
  test("per hour: SMS the provider accepted and their cost, by the hour they were sent", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    await addNotifications(deps, [sms(NOW - HOUR, 0.01)], 2);
    await addNotifications(deps, [sms(NOW - 3 * HOUR, 0.25)]);
    await addNotifications(deps, [sms(NOW - HOUR, 0.2, false)]); // queued: not spent
    await addNotifications(deps, [sms(NOW - 30 * HOUR, 7)]); // before the 24 hours

    const report = await runReport(deps, "sms-costs", { window: "24h", series: "hour" });
    if (report.report !== "sms-costs") throw new Error("wrong report");
    expect(report.series).toHaveLength(24);
    expect(report.series?.filter((p) => p.count > 0)).toEqual([
      { start: NOW - 3 * HOUR, count: 1, usd: 0.25 },
      { start: NOW - HOUR, count: 2, usd: 0.02 },
    ]);
    // Per day, the series' days are the report's own days.
    const daily = await runReport(deps, "sms-costs", { window: "30d", series: "day" });
    if (daily.report !== "sms-costs") throw new Error("wrong report");
    expect(daily.series?.map((p) => p.usd)).toEqual(daily.days.map((d) => d.usd));
  });
});

describe("smsCostTotals", () => {
  test("month to date counts the 1st even when it is older than the 30 listed days", () => {
    const now = Date.UTC(2026, 11, 31, 10);
    const totals = smsCostTotals(
      [
        { dayStart: Date.UTC(2026, 11, 1), count: 10, usd: 1 },
        { dayStart: Date.UTC(2026, 11, 31), count: 1, usd: 0.5 },
      ],
      now,
    );
    expect(totals.days[0]?.date).toBe("2026-12-02");
    expect(totals.days.reduce((n, d) => n + d.count, 0)).toBe(1);
    expect(totals.monthToDate).toEqual({ count: 11, usd: 1.5 });
    expect(totals.monthProjectionUsd).toBe(1.5); // the whole month has elapsed
  });

  test("week over week: the 7 days before this week, the change, and no ratio against a free week", () => {
    const now = Date.UTC(2026, 10, 23, 10);
    const day = (d: number) => Date.UTC(2026, 10, d);
    const totals = smsCostTotals(
      [
        { dayStart: day(23), count: 3, usd: 1.5 }, // this week (Nov 17-23)
        { dayStart: day(17), count: 1, usd: 1.5 }, // this week's first day
        { dayStart: day(16), count: 2, usd: 2 }, // the week before's last day
        { dayStart: day(10), count: 2, usd: 0.4 }, // the week before's first day
        { dayStart: day(9), count: 9, usd: 9 }, // two weeks ago: in neither
      ],
      now,
    );
    expect(totals.week).toEqual({ count: 4, usd: 3 });
    expect(totals.previousWeek).toEqual({ count: 4, usd: 2.4 });
    expect(totals.weekChange).toEqual({ usd: 0.6, share: 0.25 });
    const first = smsCostTotals([{ dayStart: day(23), count: 1, usd: 0.01 }], now);
    expect(first.weekChange).toEqual({ usd: 0.01, share: null });
  });

  test("the projection scales month to date by the days left, counting today as elapsed", () => {
    const totals = smsCostTotals(
      [{ dayStart: Date.UTC(2026, 1, 1), count: 4, usd: 2 }],
      Date.UTC(2026, 1, 2, 0, 5),
    );
    expect(totals.monthProjectionUsd).toBe(28); // 2 USD over 2 of February's 28 days
    expect(totals.week).toEqual({ count: 4, usd: 2 });
  });
});
