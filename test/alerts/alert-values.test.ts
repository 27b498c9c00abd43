import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { alertStates } from "../../db/schema.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const MINUTE = 60_000;
const t = await makeTestApp({ seed: false });
const runAlerts = () => {
  const scheduler = t.deps.schedulers.find((s) => s.name === "alerts");
  if (!scheduler) throw new Error("no alerts scheduler");
  return scheduler.runOnce();
};
const listed = async (name: string) =>
  (await (await t.call("GET", "/v1/alerts")).json()).alerts.find((a: { name: string }) => a.name === name);
const stored = async (name: string) =>
  (await t.deps.db.read.select().from(alertStates).where(eq(alertStates.name, name)))[0];

describe("alert values while a rule stays in one state", () => {
  test("value, summary and updated_at follow every evaluation; since stays at the state's start", async () => {
    await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    await runAlerts();
    const start = t.clock.now();
    expect(await listed("HeraldQueueBacklog:email")).toMatchObject({
      state: "pending",
      value: 501,
      since: start,
    });

    t.clock.advance(MINUTE);
    await seedDeliveries(t.deps.db, {
      count: 100,
      channel: "email",
      now: t.clock.now(),
      recipientId: "more",
    });
    await runAlerts();
    expect(await listed("HeraldQueueBacklog:email")).toMatchObject({
      state: "pending",
      since: start,
      value: 601,
      summary: "601 email deliveries queued and due (limit 500)",
    });
    expect((await stored("HeraldQueueBacklog:email"))?.updatedAt).toBe(t.clock.now());

    t.clock.advance(10 * MINUTE);
    await runAlerts();
    const firingSince = t.clock.now();
    expect(await listed("HeraldQueueBacklog:email")).toMatchObject({ state: "firing", since: firingSince });
    await seedDeliveries(t.deps.db, { count: 50, channel: "email", now: t.clock.now(), recipientId: "most" });
    t.clock.advance(MINUTE);
    await runAlerts();
    expect(await listed("HeraldQueueBacklog:email")).toMatchObject({
      state: "firing",
      since: firingSince,
      value: 651,
      summary: "651 email deliveries queued and due (limit 500)",
    });
    expect((await stored("HeraldQueueBacklog:email"))?.updatedAt).toBe(t.clock.now());
  });

  test("a rule that stays ok keeps its value current too", async () => {
    const before = await listed("HeraldQueueBacklog:sms");
    expect(before).toMatchObject({ state: "ok", value: 0 });
    await seedDeliveries(t.deps.db, {
      count: 3,
      channel: "sms",
      now: t.clock.now(),
      destination: (i) => `+1555000010${i}`,
    });
    t.clock.advance(MINUTE);
    await runAlerts();
    expect(await listed("HeraldQueueBacklog:sms")).toMatchObject({
      state: "ok",
      since: before.since,
      value: 3,
    });
  });
});
