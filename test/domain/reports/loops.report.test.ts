import { describe, expect, test } from "bun:test";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, HOUR, NOW } from "./report-fixtures.ts";

const MINUTE = 60_000;

describe("loops report", () => {
  test("busiest recipient × template × subject groups in the loop window, and the guard's skips", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1", "r2"]);
    const repair7 = { recipientId: "r1", template: "job-update", subject: { type: "repair", id: "7" } };
    await addNotifications(
      deps,
      [{ ...repair7, createdAt: NOW - 30 * MINUTE, deliveries: [{ channel: "email", status: "sent" }] }],
      5,
    );
    await addNotifications(
      deps,
      [
        {
          ...repair7,
          createdAt: NOW - 10 * MINUTE,
          deliveries: [{ channel: "email", status: "skipped", reason: "loop" }],
        },
      ],
      2,
    );
    await addNotifications(
      deps,
      [{ ...repair7, subject: { type: "repair", id: "8" }, createdAt: NOW - 20 * MINUTE }],
      2,
    );
    await addNotifications(deps, [{ recipientId: "r2", template: "welcome", createdAt: NOW - 5 * MINUTE }]); // a single one
    // Two hours ago: outside the 60-minute loop window, but its skip counts in the 24 h report window.
    await addNotifications(
      deps,
      [
        {
          ...repair7,
          createdAt: NOW - 2 * HOUR,
          deliveries: [{ channel: "sms", status: "skipped", reason: "loop" }],
        },
      ],
      3,
    );

    const report = await runReport(deps, "loops");
    if (report.report !== "loops") throw new Error("wrong report");
    expect(report.loopGuard).toEqual({ max: 5, windowMinutes: 60 });
    expect(report.candidates).toEqual([
      {
        recipientId: "r1",
        template: "job-update",
        subjectType: "repair",
        subjectId: "7",
        count: 7,
        lastAt: NOW - 10 * MINUTE,
        skipped: 2,
        overLimit: true,
      },
      {
        recipientId: "r1",
        template: "job-update",
        subjectType: "repair",
        subjectId: "8",
        count: 2,
        lastAt: NOW - 20 * MINUTE,
        skipped: 0,
        overLimit: false,
      },
    ]);
    expect(report.skipped).toEqual([
      { channel: "email", count: 2 },
      { channel: "sms", count: 3 },
    ]);
    expect(await runReport(deps, "loops", { window: "1h" })).toMatchObject({
      skipped: [
        { channel: "email", count: 2 },
        { channel: "sms", count: 0 },
      ],
    });
  });
});
