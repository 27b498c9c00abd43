import { describe, expect, test } from "bun:test";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "./report-fixtures.ts";

describe("failures report", () => {
  test("top error codes and messages of unsuccessful attempts, per channel, with contact data redacted", async () => {
    const { deps } = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(deps, ["r1"]);
    const rejected = (address: string, createdAt: number) => ({
      status: "failed",
      createdAt,
      errorCode: "message-rejected",
      errorMessage: `Email address is not verified. The following identities failed the check: ${address}`,
    });
    await addNotifications(deps, [
      {
        recipientId: "r1",
        createdAt: NOW - 2 * HOUR,
        deliveries: [
          { channel: "email", status: "failed", attempts: [rejected("alice@example.com", NOW - 2 * HOUR)] },
          { channel: "email", status: "failed", attempts: [rejected("bob@example.org", NOW - HOUR)] },
          {
            channel: "sms",
            status: "sent",
            attempts: [
              {
                status: "retry",
                createdAt: NOW - 2 * HOUR,
                errorCode: "throttled",
                errorMessage: "Rate exceeded",
              },
              { status: "sent", createdAt: NOW - HOUR },
            ],
          },
          { channel: "email", status: "sent", attempts: [{ status: "sent", createdAt: NOW - HOUR }] },
          // Ten days old: outside the default 7 d window.
          { channel: "email", status: "failed", attempts: [rejected("carol@example.com", NOW - 10 * DAY)] },
        ],
      },
    ]);

    const report = await runReport(deps, "failures");
    if (report.report !== "failures") throw new Error("wrong report");
    expect(report.channels).toEqual([
      { channel: "email", attempts: 3, unsuccessful: 2, unsuccessfulShare: 0.6667 },
      { channel: "sms", attempts: 2, unsuccessful: 1, unsuccessfulShare: 0.5 },
    ]);
    expect(report.top).toEqual([
      {
        channel: "email",
        errorCode: "message-rejected",
        errorMessage: "Email address is not verified. The following identities failed the check: [email]",
        count: 2,
        lastAt: NOW - HOUR,
      },
      {
        channel: "sms",
        errorCode: "throttled",
        errorMessage: "Rate exceeded",
        count: 1,
        lastAt: NOW - 2 * HOUR,
      },
    ]);
    expect(JSON.stringify(report)).not.toContain("example.");

    const limited = await runReport(deps, "failures", { window: "30d", limit: 1 });
    expect(limited).toMatchObject({ top: [{ errorCode: "message-rejected", count: 3 }] });
  });
});
