// biome-ignore-all lint/style/noNonNullAssertion: the series has the buckets the test counts on
import { describe, expect, test } from "bun:test";
import { deliveriesMade } from "../../../src/domain/reports/delivery-rates.rules.ts";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "./report-fixtures.ts";

describe("delivery-rates report", () => {
  test("rates per channel over 24 h and 7 d against the 95 % email and 98 % SMS targets", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    const at = (
      createdAt: number,
      channel: "email" | "sms",
      status: "sent" | "delivered" | "failed" | "bounced" | "queued",
    ) => ({
      recipientId: "r1",
      createdAt,
      deliveries: [{ channel, status }],
    });
    // Email, last 24 h: 19 good of 20 finished (95 %, meets); plus 2 failures 3 days ago (19/22 over 7 d).
    await addNotifications(deps, [at(NOW - HOUR, "email", "sent")], 18);
    await addNotifications(deps, [
      at(NOW - 2 * HOUR, "email", "delivered"),
      at(NOW - 3 * HOUR, "email", "bounced"),
    ]);
    await addNotifications(deps, [at(NOW - 3 * DAY, "email", "failed")], 2);
    await addNotifications(deps, [at(NOW - 8 * DAY, "email", "failed")], 5); // outside both periods
    // SMS: nothing in the last day; 49 sent and 1 failed 2 days ago (98 %, meets), one still queued.
    await addNotifications(deps, [at(NOW - 2 * DAY, "sms", "sent")], 49);
    await addNotifications(deps, [at(NOW - 2 * DAY, "sms", "failed"), at(NOW - 2 * DAY, "sms", "queued")]);

    const report = await runReport(deps, "delivery-rates");
    if (report.report !== "delivery-rates") throw new Error("wrong report");
    const row = (channel: string, period: string) =>
      report.rows.find((r) => r.channel === channel && r.period === period);

    expect(row("email", "24h")).toMatchObject({
      sent: 18,
      delivered: 1,
      bounced: 1,
      failed: 0,
      rate: 0.95,
      target: 0.95,
      meetsTarget: true,
      from: NOW - DAY,
    });
    expect(row("email", "7d")).toMatchObject({
      failed: 2,
      rate: 0.8636,
      meetsTarget: false,
      from: NOW - 7 * DAY,
    });
    expect(row("sms", "24h")).toMatchObject({
      sent: 0,
      failed: 0,
      rate: null,
      target: 0.98,
      meetsTarget: null,
    });
    expect(row("sms", "7d")).toMatchObject({
      sent: 49,
      failed: 1,
      pending: 1,
      rate: 0.98,
      meetsTarget: true,
    });
  });

  test("one failure too many puts SMS under its 98 % target", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    await addNotifications(
      deps,
      [{ recipientId: "r1", createdAt: NOW - HOUR, deliveries: [{ channel: "sms", status: "sent" }] }],
      48,
    );
    await addNotifications(
      deps,
      [{ recipientId: "r1", createdAt: NOW - HOUR, deliveries: [{ channel: "sms", status: "failed" }] }],
      2,
    );
    const report = await runReport(deps, "delivery-rates");
    if (report.report !== "delivery-rates") throw new Error("wrong report");
    expect(report.rows.find((r) => r.channel === "sms" && r.period === "24h")).toMatchObject({
      rate: 0.96,
      meetsTarget: false,
    });
  });

  test("a series gives each UTC day's figures and rate per channel against its target", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    const at = (createdAt: number, channel: "email" | "sms", status: "sent" | "failed" | "skipped") => ({
      recipientId: "r1",
      createdAt,
      deliveries: [{ channel, status }],
    });
    await addNotifications(deps, [at(NOW - HOUR, "email", "sent")], 9);
    await addNotifications(deps, [at(NOW - HOUR, "email", "failed")]);
    await addNotifications(deps, [at(NOW - 2 * DAY, "sms", "sent")], 4);
    await addNotifications(deps, [at(NOW - 2 * DAY, "sms", "skipped")]);

    const report = await runReport(deps, "delivery-rates", { window: "7d", series: "day" });
    if (report.report !== "delivery-rates") throw new Error("wrong report");
    expect(report.series).toHaveLength(7);
    const [twoDaysAgo, yesterday, today] = report.series?.slice(-3) ?? [];
    expect(today?.start).toBe(NOW - 12 * HOUR);
    expect(today?.email).toMatchObject({ sent: 9, failed: 1, rate: 0.9, target: 0.95, meetsTarget: false });
    expect(today?.sms).toMatchObject({ rate: null, meetsTarget: null });
    expect(yesterday?.email.rate).toBeNull();
    expect(twoDaysAgo?.sms).toMatchObject({ sent: 4, rate: 1, target: 0.98, meetsTarget: true });
    expect(deliveriesMade(twoDaysAgo!.sms)).toBe(4); // the skipped one was never made
    // The 24 h and 7 d rows are unchanged by the series.
    expect(report.rows.find((r) => r.channel === "email" && r.period === "7d")?.rate).toBe(0.9);
  });
});
