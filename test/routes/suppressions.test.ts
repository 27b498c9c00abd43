// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { FixedClock } from "../../src/clock.ts";
import { jobUpdateTemplate, technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const clock = new FixedClock(Date.parse("2026-01-15T12:00:00Z"));
const t = await makeTestApp({ seed: false, clock });

await t.call("POST", "/v1/templates", { body: jobUpdateTemplate });

async function recipient(id: string, email: string, phone: string) {
  const res = await t.call("PUT", `/v1/recipients/${id}`, {
    body: technician({ email, phone }),
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
}

async function notify(recipientId: string) {
  const res = await t.call("POST", "/v1/notifications", {
    body: { recipientId, template: "job-update", context: { id: "R-9" } },
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
  const id = (await res.json()).notification.id as string;
  return db().select().from(deliveries).where(eq(deliveries.notificationId, id));
}

const db = () => t.deps.db.read;

describe("POST /v1/suppressions", () => {
  test("suppresses a contact (normalised) with 201, then answers 200 with the existing entry", async () => {
    const res = await t.call("POST", "/v1/suppressions", {
      body: { channel: "email", contact: "Ops.Test@Example.com", detail: "ticket 42" },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      channel: "email",
      contact: "ops.test@example.com",
      reason: "manual",
      source: "operator",
      detail: "ticket 42",
      createdAt: clock.now(),
    });
    clock.advance(1000);
    const again = await t.call("POST", "/v1/suppressions", {
      body: { channel: "email", contact: "ops.test@example.com" },
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ detail: "ticket 42", createdAt: clock.now() - 1000 });
  });

  test("stops what is still queued for the contact on that channel only, in the same request", async () => {
    await recipient("q-1", "Queued@Example.com", "+15550000001");
    const before = await notify("q-1");
    expect(before.map((d) => d.status).sort()).toEqual(["queued", "queued"]);
    const skippedBefore = t.deps.metrics.deliveries.get({
      channel: "email",
      outcome: "skipped",
      reason: "suppressed",
    });

    expect(
      (
        await t.call("POST", "/v1/suppressions", {
          body: { channel: "email", contact: "queued@example.com" },
        })
      ).status,
    ).toBe(201);

    const after = await db()
      .select()
      .from(deliveries)
      .where(eq(deliveries.notificationId, before[0]!.notificationId));
    expect(after.find((d) => d.channel === "email")).toMatchObject({
      status: "skipped",
      reason: "suppressed",
    });
    expect(after.find((d) => d.channel === "sms")?.status).toBe("queued");
    expect(
      t.deps.metrics.deliveries.get({ channel: "email", outcome: "skipped", reason: "suppressed" }),
    ).toBe(skippedBefore + 1);
  });

  test("a notification created for a suppressed contact skips that channel with reason `suppressed`", async () => {
    await recipient("s-1", "later@example.com", "+15550000002");
    expect(
      (await t.call("POST", "/v1/suppressions", { body: { channel: "sms", contact: "+15550000002" } }))
        .status,
    ).toBe(201);
    const rows = await notify("s-1");
    expect(rows.find((d) => d.channel === "sms")).toMatchObject({ status: "skipped", reason: "suppressed" });
    expect(rows.find((d) => d.channel === "email")?.status).toBe("queued");
  });

  test("contacts are validated with the recipients' rules; bad input changes nothing", async () => {
    const bad = [
      { channel: "email", contact: "not-an-email" },
      { channel: "sms", contact: "555-1234" },
      { channel: "fax", contact: "+15551234567" },
      { channel: "email", contact: "a@example.com", reason: "bounce" },
    ];
    const before = (await (await t.call("GET", "/v1/suppressions?limit=200")).json()).items.length;
    for (const body of bad) {
      const res = await t.call("POST", "/v1/suppressions", { body });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await (await t.call("GET", "/v1/suppressions?limit=200")).json()).items).toHaveLength(before);
  });
});

describe("GET /v1/suppressions", () => {
  test("lists newest first, filters by channel and contact, and pages with a cursor", async () => {
    for (const n of [1, 2, 3]) {
      clock.advance(1000);
      await t.call("POST", "/v1/suppressions", { body: { channel: "sms", contact: `+1555999000${n}` } });
    }
    const page1 = await (await t.call("GET", "/v1/suppressions?channel=sms&limit=2")).json();
    expect(page1.items.map((s: { contact: string }) => s.contact)).toEqual(["+15559990003", "+15559990002"]);
    const page2 = await (
      await t.call("GET", `/v1/suppressions?channel=sms&limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.items.map((s: { contact: string }) => s.contact)).toEqual(["+15559990001", "+15550000002"]);
    expect(page2.nextCursor).toBeNull();

    const one = await (
      await t.call("GET", `/v1/suppressions?contact=${encodeURIComponent("OPS.TEST@example.com")}`)
    ).json();
    expect(one.items).toHaveLength(1);
    expect(one.items[0].contact).toBe("ops.test@example.com");

    const bad = await t.call("GET", "/v1/suppressions?cursor=bm9wZQ");
    expect(bad.status).toBe(400);
  });
});

describe("DELETE /v1/suppressions/{channel}/{contact}", () => {
  test("lifts a suppression (204), then 404; new notifications reach the contact again", async () => {
    await recipient("d-1", "lift@example.com", "+15550000003");
    await t.call("POST", "/v1/suppressions", { body: { channel: "email", contact: "lift@example.com" } });
    expect((await notify("d-1")).find((d) => d.channel === "email")?.reason).toBe("suppressed");

    expect(
      (await t.call("DELETE", `/v1/suppressions/email/${encodeURIComponent("Lift@Example.com")}`)).status,
    ).toBe(204);
    const gone = await t.call("DELETE", "/v1/suppressions/email/lift%40example.com");
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe("not-found");
    expect((await notify("d-1")).find((d) => d.channel === "email")?.status).toBe("queued");
  });

  test("phone numbers work in the path, encoded or not", async () => {
    await t.call("POST", "/v1/suppressions", { body: { channel: "sms", contact: "+15550000004" } });
    expect((await t.call("DELETE", "/v1/suppressions/sms/+15550000004")).status).toBe(204);
    await t.call("POST", "/v1/suppressions", { body: { channel: "sms", contact: "+15550000004" } });
    expect((await t.call("DELETE", "/v1/suppressions/sms/%2B15550000004")).status).toBe(204);
  });
});

describe("auth", () => {
  test("needs an admin key", async () => {
    expect((await t.call("GET", "/v1/suppressions", { key: null })).status).toBe(401);
    expect((await t.call("GET", "/v1/suppressions", { key: t.portalKey })).status).toBe(403);
    expect(
      (
        await t.call("POST", "/v1/suppressions", {
          key: t.portalKey,
          body: { channel: "sms", contact: "+15550000005" },
        })
      ).status,
    ).toBe(403);
    expect((await t.call("DELETE", "/v1/suppressions/sms/+15550000005", { key: t.portalKey })).status).toBe(
      403,
    );
  });

  test("operator actions are logged without the contact", () => {
    const text = JSON.stringify(t.logs.filter((l) => String(l.msg).startsWith("suppression")));
    expect(text).toContain("suppression added");
    expect(text).not.toMatch(/@example\.com|\+1555/);
  });
});
