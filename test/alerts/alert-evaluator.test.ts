import { describe, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { deliveries, notifications, outboxMessages } from "../../db/schema.ts";
import { OPERATOR_RECIPIENT_ID } from "../../src/alerts/alert-email.ts";
import { alertHistory } from "../../src/alerts/alert-history.ts";
import { createServerDeps } from "../../src/bootstrap.ts";
import { loadConfig } from "../../src/config.ts";
import { memoryLogger } from "../../src/logger.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const MINUTE = 60_000;
const env = { HERALD_ALERT_EMAIL: "oncall@example.test", HERALD_ALERT_EMAIL_MAX_PER_HOUR: "3" };
const t = await makeTestApp({ env });
const alerts = () => {
  const scheduler = t.deps.schedulers.find((s) => s.name === "alerts");
  if (!scheduler) throw new Error("no alerts scheduler");
  return scheduler;
};
const stateOf = async (name: string) => {
  const body = await (await t.call("GET", "/v1/alerts")).json();
  return body.alerts.find((a: { name: string }) => a.name === name);
};
/** Operator alert notifications, oldest first, with their email delivery's destination and subject. */
const alertEmails = async () =>
  t.deps.db.read
    .select({ title: notifications.title, destination: deliveries.destination, status: deliveries.status })
    .from(notifications)
    .innerJoin(
      deliveries,
      and(eq(deliveries.notificationId, notifications.id), eq(deliveries.channel, "email")),
    )
    .where(eq(notifications.recipientId, OPERATOR_RECIPIENT_ID))
    .orderBy(notifications.id);

describe("alert evaluator", () => {
  test("a backlog is pending, fires after its `for`, shows in /v1/alerts, readiness and metrics, and is emailed once", async () => {
    await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    expect(await alerts().runOnce()).toMatchObject({ firing: 0, emailsQueued: 0 });
    const pending = await stateOf("HeraldQueueBacklog:email");
    expect(pending).toMatchObject({
      state: "pending",
      since: t.clock.now(),
      value: 501,
      severity: "warning",
    });

    t.clock.advance(10 * MINUTE);
    // Ten minutes with the oldest item waiting and no attempt: the worker counts as stalled too.
    expect(await alerts().runOnce()).toMatchObject({ firing: 2, emailsQueued: 2 });
    const firing = await (await t.call("GET", "/v1/alerts?state=firing")).json();
    expect(firing.firing).toEqual(["HeraldQueueBacklog:email", "HeraldWorkerStalled:email"]);
    expect(firing.alerts.map((a: { name: string }) => a.name)).toEqual(firing.firing);
    expect(firing.alerts[0]).toMatchObject({
      since: t.clock.now(),
      summary: "501 email deliveries queued and due (limit 500)",
    });

    const ready = await (await t.call("GET", "/health/ready", { key: null })).json();
    expect(ready.components.alerts).toEqual({
      status: "degraded",
      detail: "firing: HeraldQueueBacklog:email, HeraldWorkerStalled:email (see GET /v1/alerts)",
    });
    expect(t.deps.metrics.alertsFiring.get({ alert: "HeraldQueueBacklog", severity: "warning" })).toBe(1);
    expect(
      t.deps.metrics.alertsFiring.get({ alert: "HeraldQueueBacklogCritical", severity: "critical" }),
    ).toBe(0);

    const emails = await alertEmails();
    expect(emails.map((e) => e.title).sort()).toEqual([
      "[CRITICAL] HeraldWorkerStalled:email firing",
      "[WARNING] HeraldQueueBacklog:email firing",
    ]);
    expect(emails.every((e) => e.destination === "oncall@example.test" && e.status === "queued")).toBe(true);

    // Still firing on the next ticks: no second email.
    t.clock.advance(MINUTE);
    expect(await alerts().runOnce()).toMatchObject({ firing: 2, emailsQueued: 0 });
    expect(await alertEmails()).toHaveLength(2);

    // The history holds each change once, newest first; ticks that changed nothing added nothing.
    const { items } = await alertHistory(t.deps, { name: "HeraldQueueBacklog:email", limit: 10 });
    expect(items.map((e) => [e.from, e.to, e.value, e.at])).toEqual([
      ["pending", "firing", 501, t.clock.now() - MINUTE],
      ["ok", "pending", 501, t.clock.now() - 11 * MINUTE],
    ]);
    expect(items[0]?.summary).toBe("501 email deliveries queued and due (limit 500)");
  });

  test("the alert emails go out through the email channel (the outbox here)", async () => {
    // Clear the synthetic backlog so only the operator's emails are due.
    await t.deps.db.write((tx) =>
      tx.run(sql`UPDATE deliveries SET status = 'cancelled' WHERE recipient_id = 'seed-recipient'`),
    );
    await t.delivery.runUntilIdle();
    const sent = await t.deps.db.read
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.to, "oncall@example.test"));
    expect(sent.map((m) => m.subject).sort()).toEqual([
      "[Herald critical] HeraldWorkerStalled:email firing",
      "[Herald warning] HeraldQueueBacklog:email firing",
    ]);
    expect(sent.find((m) => m.subject?.includes("Backlog"))?.text).toContain(
      "501 email deliveries queued and due (limit 500)",
    );
  });

  test("resolving emails once per alert, at most N per hour: the rest waits for the next hour", async () => {
    t.clock.advance(MINUTE);
    // Both resolve; 2 of the 3 emails this hour are spent, so one resolution waits.
    expect(await alerts().runOnce()).toMatchObject({ firing: 0, emailsQueued: 1, emailsDeferred: 1 });
    expect((await stateOf("HeraldQueueBacklog:email")).state).toBe("ok");
    const ready = await (await t.call("GET", "/health/ready", { key: null })).json();
    expect(ready.components.alerts).toEqual({ status: "healthy" });
    expect(await alertEmails()).toHaveLength(3);
    // Keep the queue moving, or the undelivered alert email would itself be a stalled worker.
    await t.delivery.runUntilIdle();
    t.clock.advance(30 * MINUTE);
    expect(await alerts().runOnce()).toMatchObject({ emailsQueued: 0, emailsDeferred: 1 });
    t.clock.advance(31 * MINUTE);
    expect(await alerts().runOnce()).toMatchObject({ emailsQueued: 1, emailsDeferred: 0 });
    const titles = (await alertEmails()).map((e) => e.title);
    expect(titles.filter((title) => title.endsWith("resolved")).sort()).toEqual([
      "[CRITICAL] HeraldWorkerStalled:email resolved",
      "[WARNING] HeraldQueueBacklog:email resolved",
    ]);
  });

  test("state survives a restart: a new process neither re-sends nor forgets", async () => {
    await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    await alerts().runOnce();
    expect((await stateOf("HeraldQueueBacklog:email")).state).toBe("pending");
    const pendingSince = (await stateOf("HeraldQueueBacklog:email")).since;

    const restarted = await createServerDeps(
      loadConfig({ DATABASE_URL: t.databaseUrl, HERALD_SEED: "false", ...env }),
      {
        clock: t.clock,
        logger: memoryLogger(),
      },
    );
    try {
      const scheduler = restarted.schedulers.find((s) => s.name === "alerts");
      t.clock.advance(10 * MINUTE);
      await scheduler?.runOnce();
      // Pending since before the restart, so ten minutes later it fires in the new process.
      const backlog = await stateOf("HeraldQueueBacklog:email");
      expect(backlog.state).toBe("firing");
      expect(backlog.since - pendingSince).toBe(10 * MINUTE);
      const before = (await alertEmails()).length;
      t.clock.advance(MINUTE);
      await scheduler?.runOnce();
      await alerts().runOnce();
      expect(await alertEmails()).toHaveLength(before);
    } finally {
      await restarted.db.close();
    }
  });
});

describe("alert evaluator with the guards", () => {
  test("SMS budget at 80 % of the day fires the budget warning; held SMS and loops fire at once", async () => {
    const g = await makeTestApp({ seed: false });
    const [id] = await seedDeliveries(g.deps.db, { count: 3, channel: "sms", now: g.clock.now() });
    await g.deps.db.write(async (tx) => {
      await tx.run(sql`UPDATE deliveries SET cost_usd = 40 WHERE id = ${id}`);
      await tx.run(
        sql`UPDATE deliveries SET status = 'skipped', reason = 'loop' WHERE id != ${id} AND channel = 'sms'`,
      );
      await tx.run(sql`UPDATE deliveries SET status = 'unknown' WHERE id = ${id}`);
    });
    const result = await g.deps.schedulers.find((s) => s.name === "alerts")?.runOnce();
    expect(result).toMatchObject({ emailsQueued: 0 }); // no HERALD_ALERT_EMAIL: nothing to send
    const body = await (await g.call("GET", "/v1/alerts?state=firing")).json();
    expect(body.firing.sort()).toEqual([
      "HeraldNotificationLoop",
      "HeraldSmsBudgetWarning",
      "HeraldSmsCostHourly",
      "HeraldSmsHeldUnknown",
    ]);
    const budget = body.alerts.find((a: { name: string }) => a.name === "HeraldSmsBudgetWarning");
    expect(budget).toMatchObject({ value: 0.8, severity: "warning" });
  });
});
