// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { updateOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { setUpJobUpdate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { ADMIN_SECTIONS, signIn } from "./admin-session.ts";

// Ids are monotonic ULIDs of the creation time and request ids use the real clock, so a fixed clock in the past
// would give rows ids ahead of their created_at; the date filters bound ids, so the clock starts at real time.
const t = await makeTestApp({ seed: false, now: Date.now() });
const day = (offset: number) => new Date(t.clock.now() + offset * 86_400_000).toISOString().slice(0, 10);
await setUpJobUpdate(t, "tech-1");
await t.call("PUT", "/v1/recipients/cust-2", {
  key: t.portalKey,
  body: { kind: "customer", email: "sam@example.com", emailVerified: true, timezone: "UTC" },
});

async function notify(recipientId: string, id: string, priority: string) {
  const res = await t.call("POST", "/v1/notifications", {
    key: t.portalKey,
    body: { recipientId, template: "job-update", context: { id }, priority },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as {
    notification: { id: string };
    decisions: { channel: string; deliveryId: string; status: string }[];
  };
}

const urgent = await notify("tech-1", "R-100", "URGENT");
const low = await notify("cust-2", "R-200", "LOW");
const medium = await notify("cust-2", "R-300 leak", "MEDIUM");
const browser = await signIn(t);

async function page(path: string, status = 200): Promise<string> {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
}

const notificationRows = (html: string) =>
  [...html.matchAll(/href="\/admin\/notifications\/([^"?]+)"/g)].map((m) => m[1]);
const deliveryRows = (html: string) =>
  [...html.matchAll(/href="\/admin\/deliveries\/([^"?/]+)"/g)].map((m) => m[1]);

async function statusOf(id: string) {
  const [row] = await t.deps.db.read.select().from(deliveries).where(eq(deliveries.id, id));
  return row!;
}

describe("admin console pages", () => {
  test("the layout has every section in its navigation, marks the current one and labels the sign-out", async () => {
    const html = await page("/admin/deliveries");
    for (const label of ADMIN_SECTIONS) expect(html).toContain(`>${label}</a>`);
    expect(html).toContain('<a href="/admin/deliveries" aria-current="page">Deliveries</a>');
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1"/>');
    for (const path of ["/admin/templates", "/admin/settings", "/admin/alerts", "/admin/reports"])
      await page(path);
  });

  test("a banner shows while maintenance mode is on, with the operator's note", async () => {
    expect(await page("/admin")).not.toContain("Maintenance mode is on");
    await updateOpsSettings(t.deps, { maintenance: { enabled: true, reason: "disk swap" } }, "api");
    try {
      const html = await page("/admin/notifications");
      expect(html).toContain("Maintenance mode is on");
      expect(html).toContain("disk swap");
    } finally {
      await updateOpsSettings(t.deps, { maintenance: { enabled: false } }, "api");
    }
  });

  test("the overview shows volume, rates against targets, SMS spend against budget, the queue, components and firing alerts", async () => {
    await t.deps.db.write((tx) =>
      tx.run(sql`INSERT INTO alert_states (name, state, severity, since, value, summary, updated_at)
        VALUES ('HeraldQueueBacklog:email', 'firing', 'warning', ${t.clock.now()}, 900, 'email backlog 900 due', ${t.clock.now()})`),
    );
    const html = await page("/admin");
    expect(html).toContain("Volume by channel");
    // Three notifications today: the in-app row says so (test/admin/overview.test.ts checks the figures).
    expect(html).toContain('<th scope="row">In-app</th><td>3</td><td>3</td>');
    expect(html).toContain("95.0 %");
    expect(html).toContain("98.0 %");
    expect(html).toMatch(/\$0\.\d+ of \$50\.00/);
    expect(html).toMatch(/of \$1500\.00/);
    expect(html).toContain("Deliveries waiting now");
    expect(html).toContain("emailWorker");
    expect(html).toContain("not running");
    expect(html).toContain("email backlog 900 due");
    const alerts = await page("/admin/alerts");
    expect(alerts).toContain("1 firing: HeraldQueueBacklog:email.");
    expect(alerts).toMatch(
      /HeraldQueueBacklog:email<\/th><td>warning<\/td><td class="health-failing">firing/,
    );
    expect(alerts).toContain("HeraldSmsBudgetExhausted");
    await t.deps.db.write((tx) => tx.run(sql`DELETE FROM alert_states`));
    expect(await page("/admin")).toContain("No alert is firing.");
  });

  test("the notification list shows priorities as badges and each channel's state, and filters narrow it", async () => {
    const all = await page("/admin/notifications");
    expect(notificationRows(all)).toEqual([
      medium.notification.id,
      low.notification.id,
      urgent.notification.id,
    ]);
    // Each row's recipient opens their page (preferences, suppressions, recent notifications).
    expect(all).toContain('<a href="/admin/recipients?id=tech-1">tech-1</a>');
    expect(all).toContain('<span class="badge priority-urgent">URGENT</span>');
    expect(all).toContain('<span class="badge priority-low">LOW</span>');
    expect(all).toContain('<span class="badge priority-medium">MEDIUM</span>');
    expect(all).toMatch(/sms: <span class="badge status-/);

    expect(notificationRows(await page("/admin/notifications?priority=URGENT"))).toEqual([
      urgent.notification.id,
    ]);
    expect(notificationRows(await page("/admin/notifications?recipient=cust-2"))).toEqual([
      medium.notification.id,
      low.notification.id,
    ]);
    expect(notificationRows(await page("/admin/notifications?q=leak"))).toEqual([medium.notification.id]);
    expect(notificationRows(await page("/admin/notifications?category=other"))).toEqual([]);
    expect(notificationRows(await page("/admin/notifications?read=read"))).toEqual([]);
    expect(notificationRows(await page(`/admin/notifications?from=${day(1)}`))).toEqual([]);
    expect(notificationRows(await page(`/admin/notifications?from=${day(0)}&to=${day(0)}`))).toHaveLength(3);
    const bad = await page("/admin/notifications?priority=SEVERE&from=yesterday", 400);
    expect(bad).toContain("priority must be one of URGENT, HIGH, MEDIUM, LOW");
    expect(bad).toContain("from must be a date");
  });

  test("the notification list pages with a cursor that keeps the filters", async () => {
    const h = await makeTestApp({ seed: false });
    await seedDeliveries(h.deps.db, { count: 30, channel: "email", now: h.clock.now(), recipientId: "many" });
    const b = await signIn(h);
    const first = await (await b.get("/admin/notifications?recipient=many")).text();
    expect(notificationRows(first)).toHaveLength(25);
    const next = /href="(\/admin\/notifications\?recipient=many&amp;cursor=[^"]+)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await b.get(next!.replaceAll("&amp;", "&"))).text();
    expect(notificationRows(second)).toHaveLength(5);
    expect(second).toContain("End of the list.");
    expect((await b.get("/admin/notifications?cursor=bm9wZQ")).status).toBe(400);
  });

  test("a notification's page shows the rendered text, each channel's decision and reason, and attempts", async () => {
    const html = await page(`/admin/notifications/${urgent.notification.id}`);
    expect(html).toContain("Repair R-100 updated");
    expect(html).toContain("Repair R-100 changed");
    for (const decision of urgent.decisions) {
      expect(html).toContain(`href="/admin/deliveries/${decision.deliveryId}"`);
    }
    expect(html).toContain("in-app");
    expect(html).toContain("No provider attempt yet.");
    const lowHtml = await page(`/admin/notifications/${low.notification.id}`);
    const lowEmail = low.decisions.find((d) => d.channel === "email")!;
    const lowRow = await statusOf(lowEmail.deliveryId);
    expect(lowHtml).toContain(lowRow.status);
    if (lowRow.reason) expect(lowHtml).toContain(lowRow.reason);
    expect((await browser.get("/admin/notifications/01J00000000000000000000000")).status).toBe(404);
  });

  test("the delivery list shows status badges and attempts, and filters narrow it", async () => {
    const all = deliveryRows(await page("/admin/deliveries"));
    const smsOnly = deliveryRows(await page("/admin/deliveries?channel=sms"));
    expect(smsOnly.length).toBeGreaterThan(0);
    expect(smsOnly.length).toBeLessThan(all.length);
    for (const id of smsOnly) expect((await statusOf(id!)).channel).toBe("sms");
    const toSam = deliveryRows(await page("/admin/deliveries?contact=%20SAM@example.com"));
    expect(toSam.length).toBeGreaterThan(0);
    for (const id of toSam) expect((await statusOf(id!)).destination).toBe("sam@example.com");
    const forTech = deliveryRows(await page("/admin/deliveries?recipient=tech-1&channel=email"));
    expect(forTech).toEqual([urgent.decisions.find((d) => d.channel === "email")!.deliveryId]);
    expect(deliveryRows(await page("/admin/deliveries?status=failed"))).toEqual([]);
    expect(deliveryRows(await page(`/admin/deliveries?to=${day(-1)}`))).toEqual([]);
    expect(await page("/admin/deliveries?status=lost", 400)).toContain("status must be one of");
    expect(await page("/admin/deliveries")).toMatch(/<span class="badge status-\w+">/);
  });

  test("retry sends a failed delivery back to the queue; the page shows the attempt log and the outcome", async () => {
    const [id] = await seedDeliveries(t.deps.db, { count: 1, channel: "email", now: t.clock.now() });
    await t.deps.db.write((tx) =>
      tx.run(
        sql`UPDATE deliveries SET status = 'failed', attempts = 8, last_error = 'mailbox full' WHERE id = ${id!}`,
      ),
    );
    const before = await page(`/admin/deliveries/${id}`);
    expect(before).toContain("mailbox full");
    expect(before).toContain(`action="/admin/deliveries/${id}/retry"`);
    expect(before).not.toContain(`action="/admin/deliveries/${id}/cancel"`);

    const res = await browser.post(`/admin/deliveries/${id}/retry`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/deliveries/${id}?done=retried`);
    const row = await statusOf(id!);
    expect(row.status).toBe("queued");
    expect(row.runAt).toBe(t.clock.now());
    expect(await page(`/admin/deliveries/${id}?done=retried`)).toContain("back in the queue");

    // Queued now: a second retry is a conflict, shown as a page.
    const again = await browser.post(`/admin/deliveries/${id}/retry`);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("cannot be retried");
  });

  test("cancel stops a queued delivery; a sent one cannot be cancelled; neither works without the CSRF token", async () => {
    const [queued, sent] = await seedDeliveries(t.deps.db, { count: 2, channel: "sms", now: t.clock.now() });
    await t.deps.db.write((tx) => tx.run(sql`UPDATE deliveries SET status = 'sent' WHERE id = ${sent!}`));

    const forged = await browser.post(`/admin/deliveries/${queued}/cancel`, { _csrf: "nope" });
    expect(forged.status).toBe(403);
    expect((await statusOf(queued!)).status).toBe("queued");
    expect((await browser.post(`/admin/deliveries/${queued}/retry`, { _csrf: "" })).status).toBe(403);

    const res = await browser.post(`/admin/deliveries/${queued}/cancel`);
    expect(res.status).toBe(303);
    const row = await statusOf(queued!);
    expect(row.status).toBe("cancelled");
    expect(row.reason).toBe("cancelled-by-operator");

    const refused = await browser.post(`/admin/deliveries/${sent}/cancel`);
    expect(refused.status).toBe(409);
    expect((await statusOf(sent!)).status).toBe("sent");
    expect((await browser.post("/admin/deliveries/01J00000000000000000000000/cancel")).status).toBe(404);
  });

  test("a delivery's page shows its attempt log", async () => {
    const [id] = await seedDeliveries(t.deps.db, { count: 1, channel: "email", now: t.clock.now() });
    await t.deps.db.write((tx) =>
      tx.run(sql`INSERT INTO delivery_attempts (id, delivery_id, attempt, provider, status, error_code, error_message, duration_ms, cost_usd, created_at)
        VALUES ('01J0000000000000000000ATT1', ${id!}, 1, 'ses', 'retryable', 'Throttling', 'Rate exceeded', 120, 0, ${t.clock.now()})`),
    );
    const html = await page(`/admin/deliveries/${id}`);
    expect(html).toContain("Throttling: Rate exceeded");
    expect(html).toContain("120 ms");
    expect(html).toContain("Repair 0 approved");

    // The provider filter finds deliveries by the providers their attempts called.
    const bySes = deliveryRows(await page("/admin/deliveries?provider=ses"));
    expect(bySes).toEqual([id!]);
    expect(deliveryRows(await page("/admin/deliveries?provider=sns"))).not.toContain(id!);
    expect(await page("/admin/deliveries?provider=mailgun", 400)).toContain("provider");
  });
});
