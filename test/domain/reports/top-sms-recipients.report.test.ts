import { describe, expect, test } from "bun:test";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "./report-fixtures.ts";

const sms = (recipientId: string, at: number, costUsd: number, sent = true) => ({
  recipientId,
  createdAt: at,
  deliveries: [
    {
      channel: "sms" as const,
      status: sent ? ("delivered" as const) : ("queued" as const),
      sentAt: sent ? at : undefined,
      costUsd,
    },
  ],
});

describe("top-sms-recipients report", () => {
  test("ranks recipients by SMS sent in the window, then cost, by id only", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1", "r2", "r3", "r4"]);
    await addNotifications(deps, [sms("r1", NOW - HOUR, 0.01)], 3);
    await addNotifications(deps, [sms("r2", NOW - 2 * DAY, 0.5)]);
    await addNotifications(deps, [sms("r3", NOW - HOUR, 0.2, false)], 5); // queued: not sent yet
    await addNotifications(deps, [sms("r4", NOW - 10 * DAY, 1)], 9); // outside 7 d

    const report = await runReport(deps, "top-sms-recipients");
    if (report.report !== "top-sms-recipients") throw new Error("wrong report");
    expect(report.recipients).toEqual([
      { recipientId: "r1", count: 3, usd: 0.03 },
      { recipientId: "r2", count: 1, usd: 0.5 },
    ]);
    expect(await runReport(deps, "top-sms-recipients", { window: "30d", limit: 1 })).toMatchObject({
      recipients: [{ recipientId: "r4", count: 9, usd: 9 }],
    });
  });
});
