// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const clock = new FixedClock();
const fake = createFakeProviders(clock);
const t = await makeTestApp({
  seed: false,
  clock,
  providers: fake,
  env: { HERALD_DELIVERY_MAX_ATTEMPTS: "3" },
});
const db = t.deps.db;

async function status(id: string) {
  const [row] = await db.read.select().from(deliveries).where(eq(deliveries.id, id));
  return row!;
}

beforeEach(() => {
  clock.advance(3600_000);
  fake.script(() => undefined);
});

describe("GET /v1/deliveries", () => {
  test("lists newest first with filters and cursor pagination", async () => {
    const emails = await seedDeliveries(db, {
      count: 3,
      channel: "email",
      now: clock.now(),
      recipientId: "list-r",
    });
    const sms = await seedDeliveries(db, {
      count: 2,
      channel: "sms",
      now: clock.now(),
      recipientId: "list-r",
    });
    const page1 = await t.call("GET", "/v1/deliveries?recipientId=list-r&limit=3");
    expect(page1.status).toBe(200);
    const body1 = await page1.json();
    expect(body1.items.map((d: { id: string }) => d.id)).toEqual([sms[1], sms[0], emails[2]]);
    const page2 = await (
      await t.call("GET", `/v1/deliveries?recipientId=list-r&limit=3&cursor=${body1.nextCursor}`)
    ).json();
    expect(page2.items.map((d: { id: string }) => d.id)).toEqual([emails[1], emails[0]]);
    expect(page2.nextCursor).toBeNull();

    const onlySms = await (await t.call("GET", "/v1/deliveries?recipientId=list-r&channel=sms")).json();
    expect(onlySms.items).toHaveLength(2);
    const byNotification = await (
      await t.call("GET", `/v1/deliveries?notificationId=${(await status(emails[0]!)).notificationId}`)
    ).json();
    expect(byNotification.items.map((d: { id: string }) => d.id)).toEqual([emails[0]]);
    const queued = await (await t.call("GET", "/v1/deliveries?recipientId=list-r&status=queued")).json();
    expect(queued.items).toHaveLength(5);
    const none = await (
      await t.call("GET", `/v1/deliveries?recipientId=list-r&createdFrom=${clock.now() + 1}`)
    ).json();
    expect(none.items).toHaveLength(0);
  });

  test("bad filters are 400s naming the field; a forged cursor is refused", async () => {
    const res = await t.call("GET", "/v1/deliveries?status=lost&channel=fax");
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(["channel", "status"]);
    expect((await t.call("GET", "/v1/deliveries?cursor=bm9wZQ")).status).toBe(400);
  });

  test("needs an admin key", async () => {
    expect((await t.call("GET", "/v1/deliveries", { key: t.portalKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/deliveries", { key: null })).status).toBe(401);
  });
});

describe("GET /v1/deliveries/{id}", () => {
  test("shows the payload and every attempt", async () => {
    fake.script(() => {
      throw new ProviderError("InternalFailure", "boom", 500);
    });
    const [id] = await seedDeliveries(db, {
      count: 1,
      channel: "email",
      now: clock.now(),
      recipientId: "detail-r",
    });
    await t.delivery.email.tick();
    const res = await t.call("GET", `/v1/deliveries/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      id,
      status: "queued",
      attempts: 1,
      payload: { kind: "email", subject: "Repair 0 approved" },
    });
    expect(body.attemptLog).toMatchObject([
      { attempt: 1, status: "retry", errorCode: "internal-failure", provider: "fake" },
    ]);
  });

  test("404 for an unknown id", async () => {
    const res = await t.call("GET", "/v1/deliveries/01JH8Y3M6T5Q2W9X7Z4B1C0D2E");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("POST /v1/deliveries/{id}/retry", () => {
  test("a failed delivery goes back to the queue now with a fresh attempt budget, and is sent", async () => {
    fake.script(() => {
      throw new ProviderError("MessageRejected", "rejected", 400);
    });
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    await t.delivery.email.tick();
    expect((await status(id!)).status).toBe("failed");

    const res = await t.call("POST", `/v1/deliveries/${id}/retry`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      status: "queued",
      runAt: clock.now(),
      attempts: 1,
      maxAttempts: 4,
    });
    fake.script(() => undefined);
    await t.delivery.email.tick();
    expect((await status(id!)).status).toBe("sent");
  });

  test("409 for a delivery that is not failed, unknown or cancelled; 404 for none", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    const res = await t.call("POST", `/v1/deliveries/${id}/retry`);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "conflict", deliveryStatus: "queued" });
    expect((await status(id!)).status).toBe("queued");
    expect((await t.call("POST", "/v1/deliveries/01JH8Y3M6T5Q2W9X7Z4B1C0D2E/retry")).status).toBe(404);
  });

  test("409 for a cancelled delivery whose recipient was erased (nothing left to send)", async () => {
    const [id] = await seedDeliveries(db, { count: 1, channel: "sms", now: clock.now() });
    await db.write((tx) =>
      tx
        .update(deliveries)
        .set({ status: "cancelled", destination: null, payload: null })
        .where(eq(deliveries.id, id!)),
    );
    expect((await t.call("POST", `/v1/deliveries/${id}/retry`)).status).toBe(409);
  });
});

describe("bulk retry and cancel", () => {
  test("retry by filter re-queues only matching final deliveries and returns the count", async () => {
    const failed = await seedDeliveries(db, {
      count: 3,
      channel: "sms",
      now: clock.now(),
      recipientId: "bulk-r",
    });
    const [unknown] = await seedDeliveries(db, {
      count: 1,
      channel: "sms",
      now: clock.now(),
      recipientId: "bulk-r",
    });
    const [sent] = await seedDeliveries(db, {
      count: 1,
      channel: "sms",
      now: clock.now(),
      recipientId: "bulk-r",
    });
    await db.write(async (tx) => {
      for (const id of failed)
        await tx.update(deliveries).set({ status: "failed" }).where(eq(deliveries.id, id));
      await tx.update(deliveries).set({ status: "unknown" }).where(eq(deliveries.id, unknown!));
      await tx.update(deliveries).set({ status: "sent" }).where(eq(deliveries.id, sent!));
    });
    const onlyFailed = await t.call("POST", "/v1/deliveries/retry", {
      body: { status: ["failed"], recipientId: "bulk-r" },
    });
    expect(onlyFailed.status).toBe(200);
    expect(await onlyFailed.json()).toEqual({ count: 3 });
    expect((await status(unknown!)).status).toBe("unknown");
    expect((await status(sent!)).status).toBe("sent");
    const rest = await t.call("POST", "/v1/deliveries/retry", {
      body: { status: ["failed", "unknown"], recipientId: "bulk-r" },
    });
    expect(await rest.json()).toEqual({ count: 1 });
  });

  test("cancel by filter touches only queued deliveries", async () => {
    const queued = await seedDeliveries(db, {
      count: 2,
      channel: "email",
      now: clock.now(),
      recipientId: "cancel-r",
    });
    const [leased] = await seedDeliveries(db, {
      count: 1,
      channel: "email",
      now: clock.now(),
      recipientId: "cancel-r",
    });
    await db.write((tx) => tx.update(deliveries).set({ status: "leased" }).where(eq(deliveries.id, leased!)));
    const res = await t.call("POST", "/v1/deliveries/cancel", {
      body: { recipientId: "cancel-r", channel: "email" },
    });
    expect(await res.json()).toEqual({ count: 2 });
    for (const id of queued)
      expect(await status(id)).toMatchObject({ status: "cancelled", reason: "cancelled-by-operator" });
    expect((await status(leased!)).status).toBe("leased");
  });

  test("bad bodies are 400s and change nothing", async () => {
    const [id] = await seedDeliveries(db, {
      count: 1,
      channel: "email",
      now: clock.now(),
      recipientId: "bad-r",
    });
    const noStatus = await t.call("POST", "/v1/deliveries/retry", { body: { recipientId: "bad-r" } });
    expect(noStatus.status).toBe(400);
    const sentStatus = await t.call("POST", "/v1/deliveries/retry", { body: { status: ["sent"] } });
    expect(sentStatus.status).toBe(400);
    const unknownField = await t.call("POST", "/v1/deliveries/cancel", { body: { recipient: "bad-r" } });
    expect(unknownField.status).toBe(400);
    expect((await status(id!)).status).toBe("queued");
  });
});
