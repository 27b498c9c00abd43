import { beforeAll, describe, expect, test } from "bun:test";
import { count, eq } from "drizzle-orm";
import { deliveries, inboxCounters, notifications } from "../../db/schema.ts";
import { defaultPreferences } from "../../src/domain/preferences/preferences.rules.ts";
import {
  detailedJobUpdateContext,
  detailedJobUpdateTemplate,
  technician,
} from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// 2026-01-15 18:00Z = 12:00 in Chicago: outside the default 22:00-07:00 quiet hours.
const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

const person = (id: string, extra: Record<string, unknown> = {}) =>
  t.call("PUT", `/v1/recipients/${id}`, {
    body: technician({ name: "Pat", email: `${id}@example.com`, ...extra }),
  });

const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.call("POST", "/v1/notifications", {
    body: { template: "job-update", context: detailedJobUpdateContext, ...body },
    key: t.portalKey,
    headers,
  });

async function countRows() {
  const [n] = await t.deps.db.read.select({ n: count() }).from(notifications);
  const [d] = await t.deps.db.read.select({ n: count() }).from(deliveries);
  return { notifications: n?.n ?? 0, deliveries: d?.n ?? 0 };
}

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
  expect((await person("tech-1")).status).toBe(201);
});

describe("POST /v1/notifications", () => {
  test("stores the notification, renders it and queues email and SMS for a HIGH priority", async () => {
    const res = await post({
      recipientId: "tech-1",
      actionUrl: "https://portal.example.com/repairs/R-1",
      subject: { type: "repair", id: "R-1" },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.notification).toMatchObject({
      recipientId: "tech-1",
      priority: "HIGH",
      category: "repair",
      title: "Repair R-1 updated",
      message: "Leaking valve is now approved",
      subject: { type: "repair", id: "R-1" },
      read: false,
    });
    expect(body.decisions).toEqual([
      {
        channel: "email",
        status: "queued",
        reason: null,
        runAt: t.clock.now(),
        deliveryId: expect.any(String),
      },
      {
        channel: "sms",
        status: "queued",
        reason: null,
        runAt: t.clock.now(),
        deliveryId: expect.any(String),
      },
    ]);
    const rows = await t.deps.db.read
      .select()
      .from(deliveries)
      .where(eq(deliveries.notificationId, body.notification.id));
    const email = rows.find((r) => r.channel === "email");
    expect(email).toMatchObject({
      status: "queued",
      destination: "tech-1@example.com",
      runAt: t.clock.now(),
      attempts: 0,
    });
    expect(email?.payload).toMatchObject({ kind: "email", subject: "Repair R-1: approved" });
    expect(rows.find((r) => r.channel === "sms")?.payload).toMatchObject({
      kind: "sms",
      text: "Repair R-1 is approved",
    });
    const [counter] = await t.deps.db.read
      .select()
      .from(inboxCounters)
      .where(eq(inboxCounters.recipientId, "tech-1"));
    expect(counter?.unread).toBeGreaterThanOrEqual(1);
  });

  test("MEDIUM sends email only; LOW goes to the digest; reasons are given", async () => {
    const medium = await (await post({ recipientId: "tech-1", priority: "MEDIUM" })).json();
    expect(medium.decisions.map((d: { status: string; reason: string }) => [d.status, d.reason])).toEqual([
      ["queued", null],
      ["skipped", "priority"],
    ]);
    const low = await (await post({ recipientId: "tech-1", priority: "LOW" })).json();
    expect(low.decisions[0]).toMatchObject({
      status: "digest",
      reason: "digest",
      runAt: Date.parse("2026-01-16T15:00:00Z"),
    });
  });

  test("quiet hours defer a HIGH notification to the end of the recipient's window; URGENT goes now", async () => {
    await t.call("PUT", "/v1/recipients/tech-1/preferences", {
      body: { ...defaultPreferences(), quietHours: { enabled: true, start: "11:00", end: "13:30" } },
    });
    const high = await (await post({ recipientId: "tech-1" })).json();
    expect(high.decisions[0]).toMatchObject({
      status: "deferred",
      reason: "quiet-hours",
      runAt: Date.parse("2026-01-15T19:30:00Z"),
    });
    const urgent = await (await post({ recipientId: "tech-1", priority: "URGENT" })).json();
    expect(urgent.decisions[0]).toMatchObject({ status: "queued", reason: null });
    await t.call("PUT", "/v1/recipients/tech-1/preferences", {
      body: defaultPreferences(),
    });
  });

  test("an unverified phone skips SMS with its reason", async () => {
    await person("tech-unverified", { phoneVerified: false });
    const body = await (await post({ recipientId: "tech-unverified" })).json();
    expect(body.decisions[1]).toMatchObject({
      channel: "sms",
      status: "skipped",
      reason: "unverified-contact",
      runAt: null,
    });
  });

  test("sendAt defers every channel to that time", async () => {
    const sendAt = t.clock.now() + 3_600_000;
    const body = await (
      await post({ recipientId: "tech-1", sendAt, subject: { type: "job", id: "J-send-at" } })
    ).json();
    expect(body.decisions[0]).toMatchObject({ status: "deferred", reason: "send-at", runAt: sendAt });
  });

  test("unknown template 404, inactive template 409, missing context 422 naming each key, unknown recipient 404; none changes anything", async () => {
    const before = await countRows();
    const unknownTemplate = await post({ recipientId: "tech-1", template: "nope" });
    expect(unknownTemplate.status).toBe(404);
    expect((await unknownTemplate.json()).code).toBe("not-found");

    const missing = await post({ recipientId: "tech-1", context: { repair: { id: "R-1" } } });
    expect(missing.status).toBe(422);
    const problem = await missing.json();
    expect(problem.code).toBe("missing-context");
    expect(problem.missing).toEqual(["repair.title", "status"]);

    expect((await post({ recipientId: "nobody" })).status).toBe(404);

    await t.call("POST", "/v1/templates", {
      body: { ...detailedJobUpdateTemplate, name: "retired", active: false },
    });
    const inactive = await post({ recipientId: "tech-1", template: "retired" });
    expect(inactive.status).toBe(409);
    expect((await inactive.json()).code).toBe("template-inactive");

    const invalid = await post({ recipientId: "tech-1", priority: "SOON" });
    expect(invalid.status).toBe(400);
    // A link must open a web page: a javascript: or data: URL would run in whoever clicks it in the email.
    for (const actionUrl of ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>"]) {
      const bad = await post({ recipientId: "tech-1", actionUrl });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain("must be an http:// or https:// URL");
    }
    expect(await countRows()).toEqual(before);
  });

  test("Idempotency-Key returns the first response; the same key with another body is 422", async () => {
    const headers = { "idempotency-key": "order-42-approved" };
    const first = await post({ recipientId: "tech-1" }, headers);
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const before = await countRows();

    t.clock.advance(23 * 3_600_000);
    const again = await post({ recipientId: "tech-1" }, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await countRows()).toEqual(before);

    const different = await post({ recipientId: "tech-1", priority: "LOW" }, headers);
    expect(different.status).toBe(422);
    expect((await different.json()).code).toBe("idempotency-key-reused");
    expect(await countRows()).toEqual(before);
  });

  test("concurrent retries with one Idempotency-Key create exactly one notification", async () => {
    const before = await countRows();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post({ recipientId: "tech-1" }, { "idempotency-key": "burst-1" })),
    );
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(bodies.map((b) => b.notification.id)).size).toBe(1);
    expect((await countRows()).notifications).toBe(before.notifications + 1);
  });

  test("a dedupeKey already used for the recipient returns the existing notification with 200", async () => {
    const first = await post({ recipientId: "tech-1", dedupeKey: "repair-R-1-approved" });
    expect(first.status).toBe(201);
    const id = (await first.json()).notification.id;
    const before = await countRows();
    const again = await post({ recipientId: "tech-1", dedupeKey: "repair-R-1-approved", priority: "URGENT" });
    expect(again.status).toBe(200);
    const body = await again.json();
    expect(body.notification.id).toBe(id);
    expect(body.decisions).toHaveLength(2);
    expect(await countRows()).toEqual(before);
    // Concurrent duplicates also collapse to one.
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => post({ recipientId: "tech-1", dedupeKey: "burst-dedupe" })),
    );
    expect(burst.filter((r) => r.status === 201)).toHaveLength(1);
  });

  test("API keys need the portal scope; a missing key is 401", async () => {
    expect(
      (
        await t.call("POST", "/v1/notifications", {
          body: { recipientId: "tech-1", template: "job-update", context: detailedJobUpdateContext },
          key: null,
        })
      ).status,
    ).toBe(401);
  });
});

describe("GET /v1/notifications", () => {
  test("filters, text search and cursor pagination walk every match exactly once", async () => {
    await person("tech-list");
    for (let i = 0; i < 7; i++) {
      t.clock.advance(1000);
      await post({
        recipientId: "tech-list",
        context: { ...detailedJobUpdateContext, status: i % 2 ? "odd" : "even" },
        priority: "URGENT",
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: URLSearchParams = new URLSearchParams({
        recipientId: "tech-list",
        limit: "3",
        ...(cursor ? { cursor } : {}),
      });
      const page: { items: { id: string }[]; nextCursor: string | null } = await (
        await t.call("GET", `/v1/notifications?${qs}`, { key: t.portalKey })
      ).json();
      seen.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort().reverse()).toEqual(seen); // newest first
    const odd = await (await t.call("GET", "/v1/notifications?recipientId=tech-list&q=odd")).json();
    expect(odd.items).toHaveLength(3);
    const unread = await (
      await t.call("GET", "/v1/notifications?recipientId=tech-list&read=false&priority=URGENT")
    ).json();
    expect(unread.items).toHaveLength(7);
    expect((await t.call("GET", "/v1/notifications?cursor=garbage")).status).toBe(400);
  });

  test("GET /v1/notifications/{id} includes its deliveries; unknown ids are 404", async () => {
    const created = await (await post({ recipientId: "tech-1" })).json();
    const res = await t.call("GET", `/v1/notifications/${created.notification.id}`, { key: t.portalKey });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.deliveries.map((d: { channel: string }) => d.channel)).toEqual(["email", "sms"]);
    expect((await t.call("GET", "/v1/notifications/01JUNKUNKNOWN0000000000000")).status).toBe(404);
  });
});

describe("GET /v1/stats", () => {
  test("counts totals, unread, priorities, categories and deliveries per channel (admin only)", async () => {
    const stats = await (await t.call("GET", "/v1/stats")).json();
    const rows = await countRows();
    expect(stats.total).toBe(rows.notifications);
    expect(stats.unread).toBe(rows.notifications);
    expect(stats.byCategory.repair).toBe(rows.notifications);
    expect(stats.email.queued + stats.sms.queued).toBeGreaterThan(0);
    expect((await t.call("GET", "/v1/stats", { key: t.portalKey })).status).toBe(403);
  });
});
