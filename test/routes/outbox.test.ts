// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// The default providers are the outbox: what the engine "sends" is captured and listed here.
const t = await makeTestApp({ seed: false });
await seedDeliveries(t.deps.db, { count: 3, channel: "email", now: t.clock.now(), recipientId: "ob-a" });
await seedDeliveries(t.deps.db, {
  count: 2,
  channel: "sms",
  now: t.clock.now(),
  recipientId: "ob-b",
  destination: (i) => `+1555000000${i}`,
});
await t.delivery.runUntilIdle();

describe("GET /v1/outbox", () => {
  test("lists captured messages newest first with cursor pagination", async () => {
    const first = await (await t.call("GET", "/v1/outbox?limit=4")).json();
    expect(first.items).toHaveLength(4);
    const ids = first.items.map((m: { id: string }) => m.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const second = await (await t.call("GET", `/v1/outbox?limit=4&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  test("filters by channel, recipient and address", async () => {
    const sms = await (await t.call("GET", "/v1/outbox?channel=sms")).json();
    expect(sms.items.map((m: { to: string }) => m.to).sort()).toEqual(["+15550000000", "+15550000001"]);
    const email = await (await t.call("GET", "/v1/outbox?recipientId=ob-a")).json();
    expect(email.items).toHaveLength(3);
    expect(email.items[0]).toMatchObject({ channel: "email", from: "Herald <notifications@herald.local>" });
    expect(email.items[0].subject).toStartWith("Repair");
    const one = await (await t.call("GET", "/v1/outbox?to=d1%40example.test")).json();
    expect(one.items.map((m: { to: string }) => m.to)).toEqual(["d1@example.test"]);
  });

  test("needs an admin key and valid filters", async () => {
    expect((await t.call("GET", "/v1/outbox", { key: t.portalKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/outbox?channel=pigeon")).status).toBe(400);
  });
});
