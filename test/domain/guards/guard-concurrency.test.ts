import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../../db/schema.ts";
import { OPERATOR_RECIPIENT_ID } from "../../../src/alerts/alert-email.ts";
import { createNotificationsIn } from "../../../src/domain/notifications/notifications.service.ts";
import { seedDeliveries } from "../../delivery/seed-deliveries.ts";
import { jobUpdateTemplate, technician } from "../../helpers/notification-fixtures.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

describe("guards under concurrency", () => {
  test("twenty identical notifications arriving together: the first five go, fifteen are stopped as a loop", async () => {
    const t = await makeTestApp({ seed: false });
    await t.call("POST", "/v1/templates", { body: jobUpdateTemplate });
    await t.call("PUT", "/v1/recipients/p1", { body: technician() });
    const body = {
      recipientId: "p1",
      template: "job-update",
      context: { id: "R-1" },
      subject: { type: "repair", id: "R-1" },
    };
    // Not awaited one by one: all twenty are decided before any of them commits.
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.call("POST", "/v1/notifications", { body })),
    );
    const decisions = await Promise.all(responses.map(async (r) => (await r.json()).decisions));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const stopped = decisions.filter((d) => d.every((x: { reason: string | null }) => x.reason === "loop"));
    expect(stopped).toHaveLength(15);
    // Once they settled, nothing stays held: a new subject goes through.
    const other = await t.call("POST", "/v1/notifications", {
      body: { ...body, subject: { type: "repair", id: "R-2" } },
    });
    expect((await other.json()).decisions.map((d: { reason: string | null }) => d.reason)).toEqual([
      null,
      null,
    ]);
  });

  test("SMS let through by work that was rolled back (and will be re-run) reserve nothing of the budget", async () => {
    const t = await makeTestApp({ seed: false });
    await t.call("POST", "/v1/templates", { body: jobUpdateTemplate });
    await t.call("PUT", "/v1/recipients/p1", { body: technician() });
    // A daily budget that fits one US SMS ($0.00645) but not two.
    await t.call("PUT", "/v1/settings", { body: { smsBudget: { dailyUsd: 0.01, monthlyUsd: 100 } } });
    const input = {
      recipientId: "p1",
      template: "job-update",
      context: { id: "R-1" },
      subject: { type: "repair", id: "R-1" },
    };
    // Group commit re-runs a batch without the unit that failed; this unit's first run is rolled back.
    const firstRun = t.deps.db.write(async (tx) => {
      const { outcomes } = await createNotificationsIn(t.deps, tx, [input], t.clock.now());
      expect(outcomes[0]?.body.decisions.find((d) => d.channel === "sms")?.status).toBe("queued");
      throw new Error("rolled back");
    });
    expect(firstRun).rejects.toThrow("rolled back");
    await firstRun.catch(() => {});
    const res = await t.call("POST", "/v1/notifications", {
      body: { ...input, subject: { type: "repair", id: "R-2" } },
    });
    expect((await res.json()).decisions.find((d: { channel: string }) => d.channel === "sms")).toMatchObject({
      status: "queued",
      reason: null,
    });
    // That one did go through, so the next is over the budget.
    const third = await t.call("POST", "/v1/notifications", {
      body: { ...input, subject: { type: "repair", id: "R-3" } },
    });
    expect(
      (await third.json()).decisions.find((d: { channel: string }) => d.channel === "sms"),
    ).toMatchObject({ status: "skipped", reason: "budget" });
  });

  test("operator alert emails ignore a staged email rollout (alerts matter most during one)", async () => {
    const t = await makeTestApp({ env: { HERALD_ALERT_EMAIL: "oncall@example.com" } });
    await t.call("PUT", "/v1/settings", { body: { rollout: { email: { mode: "none" } } } });
    await seedDeliveries(t.deps.db, { count: 1001, channel: "email", now: t.clock.now() });
    // biome-ignore lint/style/noNonNullAssertion: the alerts scheduler is always registered
    await t.deps.schedulers.find((s) => s.name === "alerts")!.runOnce();
    const rows = await t.deps.db.read
      .select({ channel: deliveries.channel, status: deliveries.status })
      .from(deliveries)
      .where(eq(deliveries.recipientId, OPERATOR_RECIPIENT_ID));
    const emails = rows.filter((r) => r.channel === "email");
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((r) => r.status === "queued")).toBe(true);
  });
});
