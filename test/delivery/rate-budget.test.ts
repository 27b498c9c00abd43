// biome-ignore-all lint/style/noNonNullAssertion: tests index arrays they just built
/**
 * The provider rate limit is kept where the provider sees it, by every engine on the database together: two
 * engines on one file (each with its own connections, as two processes have) and a restart of one of them
 * mid-drain, on a fixed clock stepped irregularly, with fake providers recording the time of every call.
 */
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries, sendGrants } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { FixedClock } from "../../src/clock.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createAttemptRecorder } from "../../src/delivery/attempt-recorder.ts";
import { type ChannelSender, ChannelWorker } from "../../src/delivery/channel-worker.ts";
import { createDeliveryEngine, type DeliveryEngine } from "../../src/delivery/delivery-engine.ts";
import { createDeliveryWakeups } from "../../src/delivery/delivery-wakeups.ts";
import { callWindowMs, WINDOW_MS } from "../../src/delivery/send-budget.rules.ts";
import { realTimers } from "../../src/timers.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

/** The most calls in any sliding window [t, t + 1 s) of a list of call times. */
function busiestWindow(unsorted: number[]): number {
  const times = [...unsorted].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("rate budget shared through the database", () => {
  test("2,000 emails and 1,000 SMS through two engines and a restart never exceed 14 and 10 calls in any second", async () => {
    const clock = new FixedClock();
    const fake = createFakeProviders(clock);
    const t = await makeTestApp({
      seed: false,
      clock,
      providers: fake,
      random: () => 0.5,
      env: { HERALD_EMAIL_RATE: "14", HERALD_SMS_RATE: "10", HERALD_WORKER_BATCH: "100" },
    });
    await seedDeliveries(t.deps.db, { count: 2000, channel: "email", now: clock.now() });
    await seedDeliveries(t.deps.db, { count: 1000, channel: "sms", now: clock.now() });

    /** Another engine on its own connections to the same file: what a second process would run. */
    const openEngine = async () => {
      const db = await openDatabase({ url: t.databaseUrl });
      return {
        db,
        engine: createDeliveryEngine(
          { ...t.deps, db, wakeups: createDeliveryWakeups() },
          { random: () => 0.5 },
        ),
      };
    };
    const second = await openEngine();
    let engines: DeliveryEngine[] = [t.delivery, second.engine];
    const all = [...engines];
    const closeLater = [second.db];

    // Irregular steps, some shorter than the time between grants, some longer; engines take turns or tick together.
    const steps = [7, 50, 130, 3, 333, 71, 1, 240];
    for (let i = 0; fake.calls.length < 3000; i++) {
      if (i === 400) {
        // A restart: the first engine's process is gone with everything it knew; a fresh one takes its place.
        const restarted = await openEngine();
        closeLater.push(restarted.db);
        engines = [restarted.engine, second.engine];
        all.push(restarted.engine);
      }
      const turn = i % 3 === 2 ? engines : [engines[i % 2]!];
      await Promise.all(turn.map((e) => e.tick()));
      clock.advance(steps[i % steps.length]!);
      if (i > 100_000) throw new Error("the queue did not drain");
    }

    const email = fake.callsOn("email").map((c) => c.at);
    const sms = fake.callsOn("sms").map((c) => c.at);
    expect(email).toHaveLength(2000);
    expect(sms).toHaveLength(1000);
    expect(busiestWindow(email)).toBe(14);
    expect(busiestWindow(sms)).toBe(10);
    // Every engine did its share on both channels: the first before the restart, its successor after it.
    for (const engine of all) {
      expect(engine.status().email.counters.sent).toBeGreaterThan(0);
      expect(engine.status().sms.counters.sent).toBeGreaterThan(0);
    }
    for (const db of closeLater) await db.close();
  }, 120_000);

  test("a batch not ready to call before its grant ends is given back unsent; the next grant starts far enough ahead", async () => {
    const clock = new FixedClock();
    const fake = createFakeProviders(clock);
    const t = await makeTestApp({ seed: false, clock, providers: fake, env: { HERALD_EMAIL_RATE: "14" } });
    const [id] = await seedDeliveries(t.deps.db, { count: 1, channel: "email", now: clock.now() });
    // Composing takes 100 ms on this machine: four times the grace a grant leaves after its start.
    const slowSender: ChannelSender = {
      providerName: "fake",
      async prepare(row) {
        clock.advance(100);
        return async (signal) => ({
          receipt: await fake.email.sendEmail(
            {
              deliveryId: row.id,
              recipientId: row.recipientId,
              to: row.destination!,
              from: { name: "", address: "a@b.test" },
              subject: "s",
              html: "",
              text: "",
              unsubscribeUrl: "https://herald.test/unsubscribe",
              date: clock.now(),
            },
            signal,
          ),
          costUsd: 0,
        });
      },
    };
    const { db, logger, metrics, errors } = t.deps;
    const worker = new ChannelWorker(
      "email",
      {
        db,
        clock,
        logger,
        recorder: createAttemptRecorder(db, clock),
        sender: slowSender,
        metrics,
        errors,
        sendingAllowed: () => true,
        wakeups: createDeliveryWakeups(),
        timers: realTimers,
      },
      {
        batch: 14,
        rate: 14,
        concurrency: 100,
        leaseMs: 60_000,
        timeoutMs: 1000,
        pollMs: 1000,
        pauseMs: 60_000,
        backoff: { baseMs: 1000, capMs: 60_000 },
        random: () => 0.5,
        owner: "slow",
      },
    );
    const row = async () => (await db.read.select().from(deliveries).where(eq(deliveries.id, id!)))[0]!;

    const firstClaim = clock.now();
    expect(await worker.tick()).toBe(1);
    expect(fake.calls).toHaveLength(0);
    expect(await row()).toMatchObject({
      status: "queued",
      attempts: 0,
      sendStartedAt: null,
      leaseToken: null,
    });
    expect(
      t.logs.some((l) => l.msg === "send window missed; deliveries given back to the queue unsent"),
    ).toBe(true);

    // The next claim's grant starts 100 ms after it: composing ends just in time, and the call is made then.
    const secondClaim = clock.now();
    expect(await worker.tick()).toBe(1);
    expect(fake.calls.map((c) => c.at)).toEqual([secondClaim + 100]);
    expect((await row()).status).toBe("sent");
    const grants = await db.read.select().from(sendGrants).where(eq(sendGrants.channel, "email"));
    expect(grants.map((g) => [g.startsAt, g.endsAt, g.calls])).toEqual([
      [firstClaim, firstClaim + callWindowMs(1), 1],
      [secondClaim + 100, secondClaim + 100 + callWindowMs(1), 1],
    ]);
  });
});
