// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { setUpJobUpdate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-03-02T10:00:00Z") });
const browser = await signIn(t);

async function page(path: string, status = 200): Promise<string> {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
}

/** The suppression list as the API gives it (what is stored). */
async function stored(query = ""): Promise<{ channel: string; contact: string; detail: string | null }[]> {
  const res = await t.call("GET", `/v1/suppressions?limit=100${query}`);
  expect(res.status).toBe(200);
  return (await res.json()).items;
}

/** The contacts in a list page's rows, in order. */
const rows = (html: string) =>
  [...html.matchAll(/<input type="hidden" name="contact" value="([^"]+)"\/>/g)].map((m) => m[1]);

describe("admin suppressions", () => {
  test("the add form stores the contact through the API's service: normalised, reason manual, queued sends skipped", async () => {
    await setUpJobUpdate(t, "tech-1");
    const created = await t.call("POST", "/v1/notifications", {
      key: t.portalKey,
      body: { recipientId: "tech-1", template: "job-update", context: { id: "R-1" } },
    });
    const notificationId = (await created.json()).notification.id;

    const res = await browser.post("/admin/suppressions", {
      channel: "email",
      contact: " Pat@Example.com ",
      detail: "ticket 42",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/suppressions?done=added");
    expect(await stored("&contact=pat%40example.com")).toMatchObject([
      {
        channel: "email",
        contact: "pat@example.com",
        reason: "manual",
        source: "operator",
        detail: "ticket 42",
      },
    ]);
    const [email] = await t.deps.db.read
      .select()
      .from(deliveries)
      .where(eq(deliveries.notificationId, notificationId))
      .then((ds) => ds.filter((d) => d.channel === "email"));
    expect(email).toMatchObject({ status: "skipped", reason: "suppressed" });

    const html = await page("/admin/suppressions?done=added");
    expect(html).toContain("Suppressed. Deliveries still queued");
    expect(html).toMatch(/>pat@example\.com<\/a><\/td><td>manual <span class="muted">\(operator\)/);
    expect(html).toContain("<td>ticket 42</td>");

    const again = await browser.post("/admin/suppressions", { channel: "email", contact: "pat@example.com" });
    expect(again.headers.get("location")).toBe("/admin/suppressions?done=exists");
    expect(await stored("&contact=pat%40example.com")).toMatchObject([{ detail: "ticket 42" }]);
  });

  test("an invalid add is a 422 with the schema's message, keeps the input and stores nothing", async () => {
    const before = await stored();
    const badEmail = await browser.post("/admin/suppressions", {
      channel: "email",
      contact: "not-an-email",
      detail: "from the help desk",
    });
    expect(badEmail.status).toBe(422);
    const html = await badEmail.text();
    expect(html).toContain('<li><a href="#add-contact">Contact</a>: must be a valid email address</li>');
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="from the help desk"');
    expect(html).toContain('aria-invalid="true"');

    const badPhone = await browser.post("/admin/suppressions", { channel: "sms", contact: "+1 555 0100" });
    expect(badPhone.status).toBe(422);
    const phoneHtml = await badPhone.text();
    expect(phoneHtml).toContain("must be an E.164 phone number such as +15551234567");
    expect(phoneHtml).toContain('<option value="sms" selected="">sms</option>');

    const badChannel = await browser.post("/admin/suppressions", { channel: "fax", contact: "+15550100" });
    expect(badChannel.status).toBe(422);
    expect(await badChannel.text()).toContain('<a href="#add-channel">Channel</a>: ');
    expect(await stored()).toEqual(before);
  });

  test("the list pages newest first with a cursor, and filters by channel and by contact", async () => {
    for (let i = 0; i < 26; i++) {
      t.clock.advance(1000);
      const phone = `+1555000${String(i).padStart(4, "0")}`;
      expect(
        (await t.call("POST", "/v1/suppressions", { body: { channel: "sms", contact: phone } })).status,
      ).toBe(201);
    }
    const first = await page("/admin/suppressions?channel=sms");
    expect(rows(first)).toHaveLength(25);
    expect(rows(first)[0]).toBe("+15550000025");
    const next = /href="(\/admin\/suppressions\?channel=sms&amp;cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await page(next!.replaceAll("&amp;", "&"));
    expect(rows(second)).toEqual(["+15550000000"]);
    expect(second).toContain("End of the list.");

    expect(rows(await page("/admin/suppressions?channel=email"))).toEqual(["pat@example.com"]);
    expect(rows(await page("/admin/suppressions?contact=PAT%40example.COM"))).toEqual(["pat@example.com"]);
    expect(await page("/admin/suppressions?channel=fax", 400)).toContain("channel: ");
    await page("/admin/suppressions?cursor=nonsense", 400);
  });

  test("the remove button deletes the suppression; removing it again is a 404", async () => {
    const res = await browser.post("/admin/suppressions/remove", { channel: "sms", contact: "+15550000003" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/suppressions?done=removed");
    expect(await stored("&channel=sms&contact=%2B15550000003")).toEqual([]);
    expect(await stored("&channel=sms")).toHaveLength(25);
    expect(await page("/admin/suppressions?done=removed")).toContain("The suppression was removed");

    const again = await browser.post("/admin/suppressions/remove", {
      channel: "sms",
      contact: "+15550000003",
    });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("does not exist");
  });

  test("a form without its CSRF token is refused with 403 and changes nothing", async () => {
    const before = await stored();
    const add = await browser.post("/admin/suppressions", {
      _csrf: "",
      channel: "email",
      contact: "new@example.com",
    });
    expect(add.status).toBe(403);
    const remove = await browser.post("/admin/suppressions/remove", {
      _csrf: "",
      channel: "email",
      contact: "pat@example.com",
    });
    expect(remove.status).toBe(403);
    expect(await stored()).toEqual(before);
  });
});
