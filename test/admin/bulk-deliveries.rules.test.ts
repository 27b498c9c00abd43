import { describe, expect, test } from "bun:test";
import { bulkRequest, confirmedCount } from "../../src/admin/bulk-deliveries.rules.ts";

describe("bulk delivery actions", () => {
  test("retry takes every retryable status of the filtered set, or the one the filter names", () => {
    expect(bulkRequest({ action: "retry" })).toEqual({
      request: { action: "retry", filter: { status: ["failed", "unknown", "cancelled"] } },
      issues: [],
    });
    expect(
      bulkRequest({
        action: "retry",
        status: "failed",
        channel: "sms",
        contact: "+1 (555) 000-0001",
        cursor: "x",
      }),
    ).toEqual({
      request: {
        action: "retry",
        filter: { status: ["failed"], channel: "sms", destination: "+15550000001" },
      },
      issues: [],
    });
  });

  test("retry of a status that cannot be retried is refused", () => {
    expect(bulkRequest({ action: "retry", status: "sent" })).toEqual({
      request: null,
      issues: [
        "only failed, unknown, cancelled deliveries can be retried, not sent: choose one of those statuses, or any",
      ],
    });
  });

  test("cancel takes the queued deliveries of a narrowed set", () => {
    expect(bulkRequest({ action: "cancel", status: "queued", from: "2026-11-01", recipient: "r1" })).toEqual({
      request: { action: "cancel", filter: { createdFrom: Date.UTC(2026, 10, 1), recipientId: "r1" } },
      issues: [],
    });
  });

  test("cancel with no filter, or only the queued status, is refused: it would empty the queue", () => {
    const refusal =
      "choose a channel, a date, a recipient or a contact before cancelling: refusing to cancel the whole queue";
    expect(bulkRequest({ action: "cancel" })).toEqual({ request: null, issues: [refusal] });
    expect(bulkRequest({ action: "cancel", status: "queued", channel: " " })).toEqual({
      request: null,
      issues: [refusal],
    });
    expect(bulkRequest({ action: "cancel", status: "failed", channel: "email" }).issues).toEqual([
      "only queued deliveries can be cancelled, not failed: choose queued, or any status",
    ]);
  });

  test("a bad action or filter is refused with every issue", () => {
    expect(bulkRequest({ action: "delete", status: "lost" }).issues).toEqual([
      expect.stringContaining("status must be one of"),
      "action must be retry or cancel",
    ]);
  });
});

describe("confirmedCount", () => {
  test("the count a confirmation carries; none for a first post; an issue for a confirmation without a count", () => {
    const issues: string[] = [];
    expect(confirmedCount({ action: "retry" }, issues)).toBeNull();
    expect(confirmedCount({ confirm: "1", expected: "3" }, issues)).toBe(3);
    expect(confirmedCount({ confirm: "1", expected: "0" }, issues)).toBe(0);
    expect(issues).toEqual([]);
    for (const expected of [undefined, "", "-1", "2.5", "many"]) {
      const refused: string[] = [];
      expect(confirmedCount({ confirm: "1", expected }, refused)).toBeNull();
      expect(refused).toEqual(["expected must be the count the confirmation showed"]);
    }
  });
});
