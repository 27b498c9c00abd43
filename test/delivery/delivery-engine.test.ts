// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * The delivery engine on the job table with fake providers and a fixed clock, driven by hand: ordering, due
 * times, retries to exhaustion, lease fencing, the sweeper's policies, graceful stop, the outbox and the rate
 * limit over 2,000 emails.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import { deliveries, deliveryAttempts, outboxMessages } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { channelBacklog } from "../../src/delivery/backlog.repo.ts";
import { claimDue, markSendStarted } from "../../src/delivery/delivery-queue.repo.ts";
import { WINDOW_MS } from "../../src/delivery/send-budget.rules.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

const clock = new FixedClock();
const fake = createFakeProviders(clock);
const t = await makeTestApp({
  seed: false,
  clock,
  providers: fake,
  random: () => 0.5,
  env: {
    HERALD_EMAIL_RATE: "14",
    HERALD_SMS_RATE: "10",
    HERALD_LEASE_MS: "60000",
    HERALD_PROVIDER_TIMEOUT_MS: "1000",
  },
});
const db = t.deps.db;

async function row(id: string) {
  const [d] = await db.read.select().from(deliveries).where(eq(deliveries.id, id));
  return d!;
}
async function attemptsOf(id: string) {
  return (await db.read.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id))).sort(
    (a, b) => a.attempt - b.attempt,
  );
}

beforeEach(async () => {
  clock.advance(24 * 3600_000);
  fake.calls.length = 0;
  fake.script(() => undefined);
  await db.write((tx) =>
    tx
      .update(deliveries)
      .set({ status: "cancelled" })
      .where(inArray(deliveries.status, ["queued", "leased"])),
  );
});

describe("claiming", () => {
  test("the most urgent due deliveries go first when the rate limit allows only some", async () => {
    const low = await seedDeliveries(db, {
      count: 10,
      channel: "email",
      now: clock.now(),
      priorityRank: () => 3,
    });
    const urgent = await seedDeliveries(db, {
      count: 10,
      channel: "email",
      now: clock.now(),
      priorityRank: () => 0,
    });
    expect(await t.delivery.email.runUntilIdle()).toBe(14);
    const sentTo = new Set(fake.calls.map((c) => c.message.deliveryId));
    expect(urgent.every((id) => sentTo.has(id))).toBe(true);
    expect(low.filter((id) => sentTo.has(id))).toHaveLength(4);
  });

  test("deliveries deferred by quiet hours or sendAt are claimed once due, not before", async () => {
    const [later] = await seedDeliveries(db, {
      count: 1,
      channel: "sms",
      now: clock.now(),
      runAt: () => clock.now() + 3600_000,
    });
    expect(await t.delivery.runUntilIdle()).toBe(0);
    clock.advance(3600_000 - 1);
    expect(await t.delivery.runUntilIdle()).toBe(0);
    clock.advance(1);
    expect(await t.delivery.runUntilIdle()).toBe(1);
    expect((await row(later!)).status).toBe("sent");
  });

  test("a claim counts the attempt, leases from claim time and gives every claim a fresh token", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    const claimed = await db.write((tx) =>
      claimDue(tx, {
        channel: "email",
        limit: 5,
        now: clock.now(),
        leaseMs: 60_000,
        owner: "test-owner",
        token: "token-1",
      }),
    );
    expect(claimed.map((c) => c.id)).toEqual([id!]);
    const leased = await row(id!);
    expect(leased).toMatchObject({
      status: "leased",
      attempts: 1,
      leaseOwner: "test-owner",
      leaseToken: "token-1",
      leaseUntil: clock.now() + 60_000,
    });
    // A second claim finds nothing: the row is leased.
    const again = await db.write((tx) =>
      claimDue(tx, {
        channel: "email",
        limit: 5,
        now: clock.now(),
        leaseMs: 60_000,
        owner: "other",
        token: "token-2",
      }),
    );
    expect(again).toEqual([]);
  });
});

describe("retries", () => {
  test("retryable failures come back with growing backoff until attempts run out, then fail; every attempt is logged", async () => {
    fake.script(() => {
      throw new ProviderError("InternalFailure", "boom", 500);
    });
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now(), maxAttempts: 3 });
    const start = clock.now();
    await t.delivery.email.tick();
    expect(await row(id!)).toMatchObject({ status: "queued", attempts: 1, runAt: start + 15_000 });
    clock.set(start + 15_000);
    await t.delivery.email.tick();
    expect(await row(id!)).toMatchObject({ status: "queued", attempts: 2, runAt: start + 15_000 + 30_000 });
    clock.set(start + 45_000);
    await t.delivery.email.tick();
    const final = await row(id!);
    expect(final).toMatchObject({ status: "failed", attempts: 3, sentAt: null });
    expect(final.lastError).toStartWith("internal-failure");
    expect((await attemptsOf(id!)).map((a) => [a.attempt, a.status, a.errorCode])).toEqual([
      [1, "retry", "internal-failure"],
      [2, "retry", "internal-failure"],
      [3, "failed", "internal-failure"],
    ]);
  });

  test("an unexpected exception from a provider is retried, not dropped", async () => {
    fake.script(() => {
      throw new TypeError("cannot read properties of undefined");
    });
    const [id] = await seedDeliveries(db, { count: 1, channel: "sms", now: clock.now() });
    await t.delivery.sms.tick();
    expect((await row(id!)).status).toBe("queued");
  });

  test("a delivery without a destination (recipient erased) fails at once without calling the provider", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    await db.write((tx) => tx.update(deliveries).set({ destination: null }).where(eq(deliveries.id, id!)));
    await t.delivery.email.tick();
    expect(await row(id!)).toMatchObject({ status: "failed" });
    expect(fake.calls).toHaveLength(0);
  });
});

describe("leases", () => {
  test("a result whose lease was lost changes nothing, and the attempt log says so", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    fake.script(async (call) => {
      // While the send is in flight, another process takes the delivery over (as after a sweep).
      await db.write((tx) =>
        tx
          .update(deliveries)
          .set({ leaseToken: "someone-else" })
          .where(eq(deliveries.id, call.message.deliveryId)),
      );
      return { providerMessageId: "m-1" };
    });
    await t.delivery.email.tick();
    expect(await row(id!)).toMatchObject({
      status: "leased",
      leaseToken: "someone-else",
      providerMessageId: null,
    });
    expect(await attemptsOf(id!)).toMatchObject([
      { status: "sent", errorCode: "lease-lost", providerMessageId: "m-1" },
    ]);
    expect(
      t.logs.some((l) => l.msg === "lease lost before the result was recorded" && l.deliveryId === id),
    ).toBe(true);
    expect(t.delivery.email.status().counters.leaseLost).toBeGreaterThan(0);
  });

  test("a lease lost before the send started is not sent", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    const [claimed] = await db.write((tx) =>
      claimDue(tx, {
        channel: "email",
        limit: 1,
        now: clock.now(),
        leaseMs: 60_000,
        owner: "a",
        token: "old",
      }),
    );
    await db.write((tx) => tx.update(deliveries).set({ leaseToken: "new" }).where(eq(deliveries.id, id!)));
    const owned = await db.write((tx) => markSendStarted(tx, claimed!.leaseToken, [id!], clock.now()));
    expect(owned.size).toBe(0);
    expect((await row(id!)).sendStartedAt).toBeNull();
  });

  test("the sweeper requeues unstarted leases, resends ambiguous email, holds ambiguous SMS, fails exhausted ones", async () => {
    const now = clock.now();
    const [notStarted] = await seedDeliveries(db, { count: 1, channel: "sms", now });
    const [emailStarted] = await seedDeliveries(db, { count: 1, channel: "email", now });
    const [smsStarted] = await seedDeliveries(db, { count: 1, channel: "sms", now });
    const [lastTry] = await seedDeliveries(db, { count: 1, channel: "email", now, maxAttempts: 1 });
    const claim = (channel: "email" | "sms", token: string) =>
      db.write((tx) =>
        claimDue(tx, { channel, limit: 10, now, leaseMs: 60_000, owner: "dead-process", token }),
      );
    await claim("email", "e");
    await claim("sms", "s");
    await db.write((tx) => markSendStarted(tx, "e", [emailStarted!, lastTry!], now));
    await db.write((tx) => markSendStarted(tx, "s", [smsStarted!], now));

    // Not yet expired: nothing to do.
    clock.set(now + 60_000);
    expect(await t.delivery.sweep()).toMatchObject({ requeued: 0, failed: 0 });

    clock.set(now + 60_001);
    const result = await t.delivery.sweep();
    expect(result).toEqual({ requeued: 2, failed: 1, resent: 1, held: { email: 0, sms: 1 } });
    expect(await row(notStarted!)).toMatchObject({
      status: "queued",
      attempts: 1,
      leaseToken: null,
      runAt: now + 60_001,
    });
    expect(await row(emailStarted!)).toMatchObject({ status: "queued", sendStartedAt: null });
    expect(await row(smsStarted!)).toMatchObject({ status: "unknown" });
    expect(await row(lastTry!)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await attemptsOf(notStarted!)).toMatchObject([
      { status: "lease-expired", errorCode: "lease-expired" },
    ]);
    expect(await attemptsOf(smsStarted!)).toMatchObject([
      { status: "ambiguous", errorCode: "ambiguous-send" },
    ]);
    // What /metrics, /health/ready and the HeraldSmsHeldUnknown alert read.
    expect((await channelBacklog(t.deps, clock.now())).sms.unknown).toBe(1);
    expect(t.logs.some((l) => l.alert === "delivery-unknown" && l.deliveryId === smsStarted)).toBe(true);

    // Idempotent: a second sweep finds nothing.
    expect(await t.delivery.sweep()).toMatchObject({ requeued: 0, failed: 0, resent: 0 });
  });
});

describe("the running engine", () => {
  test("stop waits for a send in progress to be recorded, then claims nothing more", async () => {
    const [first] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    let release!: () => void;
    let called!: () => void;
    const sendStarted = new Promise<void>((resolve) => {
      called = resolve;
    });
    fake.script(async () => {
      called();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { providerMessageId: "slow" };
    });
    t.delivery.start();
    await sendStarted;
    const stopped = t.delivery.stop(5000);
    release();
    await stopped;
    expect(await row(first!)).toMatchObject({ status: "sent", providerMessageId: "slow" });
    await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    expect(t.delivery.status().email.running).toBe(false);
    expect(fake.calls).toHaveLength(1);
  });
});

describe("rate limit", () => {
  test("2,000 queued emails never exceed 14 provider calls in any one-second window", async () => {
    const ids = await seedDeliveries(db, { count: 2000, channel: "email", now: clock.now() });
    // Irregular steps, some shorter than the time between grants, some longer.
    const steps = [7, 50, 130, 3, 333, 71];
    for (let i = 0; fake.calls.length < 2000; i++) {
      await t.delivery.email.tick();
      clock.advance(steps[i % steps.length]!);
      if (i > 100_000) throw new Error("the queue did not drain");
    }
    const times = fake.calls.map((c) => c.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[j]! <= times[i]! - WINDOW_MS) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBe(14);
    // Consistent with that: 2,000 calls at 14 per second cannot span less than 142 s.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(Math.floor(2000 / 14) * 1000);
    const sent = await db.read
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(inArray(deliveries.status, ["sent"]));
    expect(new Set(sent.map((s) => s.id)).size).toBeGreaterThanOrEqual(ids.length);
  }, 60_000);
});

describe("outbox provider", () => {
  test("with the default providers, messages land in the outbox table instead of leaving the machine", async () => {
    const app = await makeTestApp({ seed: false });
    const [email] = await seedDeliveries(app.deps.db, { count: 1, channel: "email", now: app.clock.now() });
    const [sms] = await seedDeliveries(app.deps.db, { count: 1, channel: "sms", now: app.clock.now() });
    expect(await app.delivery.runUntilIdle()).toBe(2);
    const captured = await app.deps.db.read.select().from(outboxMessages);
    expect(captured.map((m) => [m.deliveryId, m.channel])).toEqual(
      expect.arrayContaining([
        [email, "email"],
        [sms, "sms"],
      ]),
    );
    const [emailRow] = await app.deps.db.read.select().from(deliveries).where(eq(deliveries.id, email!));
    expect(emailRow?.status).toBe("sent");
    expect(captured.find((m) => m.channel === "email")?.from).toBe("Herald <notifications@herald.local>");
    expect(emailRow?.providerMessageId).toBe(captured.find((m) => m.channel === "email")?.id ?? "");
  });
});
