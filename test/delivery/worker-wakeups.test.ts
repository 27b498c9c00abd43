// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * The worker loop sleeps until there is work: a commit's wake-up, a known due time, or the slow poll for other
 * processes. The loop runs on timers the test fires by hand, so each test sees exactly which timer was armed and
 * proves a claim came from the signal (no timer fired) rather than from polling.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { claimDue } from "../../src/delivery/delivery-queue.repo.ts";
import { OTHER_PROCESS_POLL_MS } from "../../src/delivery/delivery-wakeups.ts";
import { updateOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { manualTimers } from "../helpers/manual-timers.ts";
import {
  detailedJobUpdateContext,
  detailedJobUpdateTemplate,
  technician,
} from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

// 18:00Z is noon in Chicago: outside quiet hours, so a HIGH event queues its email at once.
const clock = new FixedClock(Date.parse("2026-01-15T18:00:00Z"));
const fake = createFakeProviders(clock);
const timers = manualTimers();
const t = await makeTestApp({ seed: false, clock, providers: fake, random: () => 0.5, workerTimers: timers });
const db = t.deps.db;
const worker = t.delivery.email;

let events = 0;
/** Posts a `job.done` event for a new repair; returns the id of the email delivery it queued. */
async function postEvent(): Promise<string> {
  events++;
  const data = {
    ...detailedJobUpdateContext,
    repair: { id: `R-${events}`, title: "Leaking valve" },
    technician: { id: "tech-1", ...technician() },
  };
  const res = await t.call("POST", "/v1/events", { body: { type: "job.done", data }, key: t.portalKey });
  expect(res.status).toBe(201);
  const decisions: { channel: string; status: string; deliveryId: string }[] = (await res.json())
    .notifications[0].decisions;
  const email = decisions.find((d) => d.channel === "email")!;
  expect(email.status).toBe("queued");
  return email.deliveryId;
}

const claimed = () => worker.status().counters.claimed;
/** The one pending timer of `ms`. */
const armedFor = (ms: number) => timers.pending().filter((p) => p.ms === ms);

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
  const rule = { template: "job-update", recipients: ["technician"], category: "dispatch" };
  expect((await t.call("PUT", "/v1/rules/job.done", { body: rule })).status).toBe(201);
});

beforeEach(async () => {
  clock.advance(3600_000);
  fake.calls.length = 0;
  fake.script(() => undefined);
  await db.write((tx) =>
    tx
      .update(deliveries)
      .set({ status: "cancelled" })
      .where(inArray(deliveries.status, ["queued", "leased"])),
  );
  worker.start();
  // At start the loop looks once, finds nothing and sleeps with only the slow poll armed.
  await worker.whenAsleep();
});

afterEach(async () => {
  await worker.stop(5_000);
  expect(timers.pending()).toEqual([]); // a stopped loop leaves no timer behind
});

describe("wake-ups", () => {
  test("an idle worker sleeps on the slow poll alone, not on a millisecond timer", () => {
    expect(timers.pending().map((p) => p.ms)).toEqual([OTHER_PROCESS_POLL_MS]);
  });

  test("an event's commit wakes the idle worker, which claims its email with no timer firing", async () => {
    const before = { claimed: claimed(), fired: timers.fired };
    const id = await postEvent();
    await worker.whenAsleep();
    expect(claimed()).toBe(before.claimed + 1);
    expect(timers.fired).toBe(before.fired); // neither the poll nor any other timer: the signal did it
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([id]);
  });

  test("a direct POST /v1/notifications wakes the idle worker, which claims its email with no timer firing", async () => {
    const before = { claimed: claimed(), fired: timers.fired };
    const context = {
      ...detailedJobUpdateContext,
      repair: { id: `R-direct-${events++}`, title: "Leaking valve" },
    };
    const res = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "tech-1", template: "job-update", priority: "HIGH", context },
      key: t.portalKey,
    });
    expect(res.status).toBe(201);
    const email = (await res.json()).decisions.find((d: { channel: string }) => d.channel === "email");
    expect(email.status).toBe("queued");
    await worker.whenAsleep();
    expect(claimed()).toBe(before.claimed + 1);
    expect(timers.fired).toBe(before.fired);
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([email.deliveryId]);
  });

  test("an operator's retry of a failed delivery wakes the worker", async () => {
    const id = await postEvent();
    await worker.whenAsleep();
    await worker.settled();
    await db.write((tx) => tx.update(deliveries).set({ status: "failed" }).where(eq(deliveries.id, id)));
    fake.calls.length = 0;
    const before = { claimed: claimed(), fired: timers.fired };
    expect((await t.call("POST", `/v1/deliveries/${id}/retry`)).status).toBe(200);
    await worker.whenAsleep();
    expect(claimed()).toBe(before.claimed + 1);
    expect(timers.fired).toBe(before.fired);
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([id]);
  });

  test("work committed elsewhere (no wake-up) waits for the slow poll, which finds and claims it", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    await worker.whenAsleep();
    const before = claimed();
    const [poll] = armedFor(OTHER_PROCESS_POLL_MS);
    timers.fire(poll!.id);
    await worker.whenAsleep();
    expect(claimed()).toBe(before + 1);
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([id!]);
  });

  test("a future due time arms a timer for exactly that time; at it the worker claims without polling", async () => {
    const [id] = await seedDeliveries(db, {
      count: 1,
      channel: "email",
      now: clock.now(),
      runAt: () => clock.now() + 90_000,
    });
    t.deps.wakeups.notify("email", clock.now() + 90_000);
    await worker.whenAsleep();
    expect(
      timers
        .pending()
        .map((p) => p.ms)
        .sort((a, b) => a - b),
    ).toEqual([OTHER_PROCESS_POLL_MS, 90_000]);

    // A later due time does not wake the loop: the earlier timer stays armed.
    const sleeps = worker.sleepCount;
    t.deps.wakeups.notify("email", clock.now() + 120_000);
    await worker.whenAsleep();
    expect(worker.sleepCount).toBe(sleeps);

    const before = claimed();
    clock.advance(90_000);
    timers.fire(armedFor(90_000)[0]!.id);
    await worker.whenAsleep();
    expect(claimed()).toBe(before + 1);
    expect(armedFor(30_000)).toHaveLength(1); // the next known due time, 120 s after the first notice
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([id!]);
  });

  test("a failed attempt's retry arms a timer for its backoff time", async () => {
    fake.script(() => {
      throw new ProviderError("InternalFailure", "boom", 500);
    });
    const id = await postEvent();
    await worker.whenAsleep(); // claimed
    await worker.settled(); // attempted and recorded
    await worker.whenAsleep();
    const [row] = await db.read.select().from(deliveries).where(eq(deliveries.id, id));
    expect(row!.status).toBe("queued");
    expect(row!.runAt).toBeGreaterThan(clock.now());
    expect(armedFor(row!.runAt - clock.now())).toHaveLength(1);
  });

  test("a lease the sweeper sends back to the queue wakes the worker", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    await db.write((tx) =>
      claimDue(tx, {
        channel: "email",
        limit: 1,
        now: clock.now(),
        leaseMs: 1_000,
        owner: "gone",
        token: "lost",
      }),
    );
    clock.advance(2_000);
    const before = { claimed: claimed(), fired: timers.fired };
    expect((await t.delivery.sweep()).requeued).toBe(1);
    await worker.whenAsleep();
    expect(claimed()).toBe(before.claimed + 1);
    expect(timers.fired).toBe(before.fired);
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId)).toEqual([id!]);
  });
});

describe("maintenance mode", () => {
  test("the worker sleeps through it: one turn per wake-up or poll, no claims; switching it off wakes the worker", async () => {
    await updateOpsSettings(t.deps, { maintenance: { enabled: true, reason: "provider migration" } }, "cli");
    const before = { claimed: claimed(), sleeps: worker.sleepCount };
    // Work arriving meanwhile costs one turn of the loop each, then it sleeps again.
    const ids = [await postEvent(), await postEvent(), await postEvent()];
    await worker.whenAsleep();
    // The slow poll fires: one turn each.
    for (let i = 0; i < 3; i++) {
      const pending = timers.pending();
      expect(pending.map((p) => p.ms)).toEqual([OTHER_PROCESS_POLL_MS]); // nothing shorter is ever armed
      timers.fire(pending[0]!.id);
      await worker.whenAsleep();
    }
    expect(claimed()).toBe(before.claimed);
    expect(worker.sleepCount - before.sleeps).toBeLessThanOrEqual(6);

    const fired = timers.fired;
    await updateOpsSettings(t.deps, { maintenance: { enabled: false } }, "cli");
    await worker.whenAsleep();
    expect(claimed()).toBe(before.claimed + 3);
    expect(timers.fired).toBe(fired);
    await worker.settled();
    expect(fake.calls.map((c) => c.message.deliveryId).sort()).toEqual(ids.sort());
  });
});
