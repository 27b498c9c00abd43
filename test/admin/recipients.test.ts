import { describe, expect, test } from "bun:test";
import { setUpJobUpdate, technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

// Notification ids are ULIDs of the real time; the clock starts there so ids and created_at agree.
const t = await makeTestApp({ seed: false, now: Date.now() });
await setUpJobUpdate(t, "tech-1", technician({ email: "Pat@Example.com", phoneVerified: false }));
expect(
  (
    await t.call("PUT", "/v1/recipients/tech-1/preferences", {
      key: t.portalKey,
      body: {
        emailEnabled: true,
        smsEnabled: false,
        categoryOptOuts: { email: ["marketing"], sms: [] },
        quietHours: { enabled: true, start: "21:30", end: "06:45" },
        digestHour: 8,
        digestCategories: ["billing"],
      },
    })
  ).status,
).toBe(200);
expect(
  (
    await t.call("POST", "/v1/suppressions", {
      body: { channel: "email", contact: "pat@example.com", detail: "ticket 42" },
    })
  ).status,
).toBe(201);

async function notify(priority: string, id: string): Promise<string> {
  const res = await t.call("POST", "/v1/notifications", {
    key: t.portalKey,
    body: { recipientId: "tech-1", template: "job-update", context: { id }, priority },
  });
  expect(res.status).toBe(201);
  return (await res.json()).notification.id;
}
const urgent = await notify("URGENT", "R-1");
const low = await notify("LOW", "R-2");
const browser = await signIn(t);

async function page(path: string, status = 200): Promise<string> {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
}

/** What the recipient page shows for tech-1, whichever way it was found. */
function expectTech1(html: string) {
  expect(html).toContain("<title>Recipient tech-1 · Herald admin</title>");
  expect(html).toContain("<dt>Kind</dt><dd>technician</dd>");
  expect(html).toMatch(/Pat@Example\.com <span class="muted">\(verified\)/);
  expect(html).toMatch(/\+15551230001 <span class="muted">\(not verified\)/);
  expect(html).toContain("<dt>Time zone</dt><dd>America/Chicago</dd>");
  // Preferences: channels, topics, digest.
  expect(html).toContain("<dt>SMS</dt><dd>off</dd>");
  expect(html).toContain("<dt>Topics off by email</dt><dd>marketing</dd>");
  expect(html).toContain("billing at 08:00 local time");
  expect(html).toContain("On: 21:30 to 06:45 in America/Chicago.");
  // The email's suppression, with reason, date, note and its remove button.
  expect(html).toMatch(
    /<td>email<\/td><td>pat@example\.com<\/td><td>manual <span class="muted">\(operator\)/,
  );
  expect(html).toContain(new Date(t.clock.now()).toISOString().slice(0, 10));
  expect(html).toContain("ticket 42");
  expect(html).toContain('aria-label="Remove the email suppression of pat@example.com"');
  expect(html).toContain('<input type="hidden" name="recipient" value="tech-1"/>');
  // Latest notifications first, with priority badges, and the link to all of them.
  const links = [...html.matchAll(/href="\/admin\/notifications\/([^"]+)"/g)].map((m) => m[1]);
  expect(links).toEqual([low, urgent]);
  expect(html).toContain('<span class="badge priority-urgent">URGENT</span>');
  expect(html).toContain('<span class="badge priority-low">LOW</span>');
  expect(html).toContain('href="/admin/notifications?recipient=tech-1"');
}

describe("admin recipients", () => {
  test("the empty form is labelled and looks nothing up", async () => {
    const html = await page("/admin/recipients");
    expect(html).toContain('<label for="f-id">Recipient id</label>');
    expect(html).toContain('<label for="f-contact">or email or phone</label>');
    expect(html).not.toContain("<h2>Preferences</h2>");
  });

  test("lookup by id shows contact data, preferences, quiet hours, suppressions and recent notifications", async () => {
    expectTech1(await page("/admin/recipients?id=tech-1"));
  });

  test("lookup by contact normalises it as the suppression list does: email case and spaces, phone punctuation", async () => {
    expectTech1(await page(`/admin/recipients?contact=${encodeURIComponent("  PAT@example.COM ")}`));
    expectTech1(await page(`/admin/recipients?contact=${encodeURIComponent("+1 (555) 123-0001")}`));
  });

  test("a contact shared by several recipients lists them, each linking to its page", async () => {
    await t.call("PUT", "/v1/recipients/tech-2", {
      key: t.portalKey,
      body: technician({ phone: "+15559990000" }),
    });
    const html = await page("/admin/recipients?contact=pat%40example.com");
    expect(html).toContain("Recipients with this contact (2)");
    expect(html).toContain('href="/admin/recipients?id=tech-1"');
    expect(html).toContain('href="/admin/recipients?id=tech-2"');
    expect(html).not.toContain("<h2>Preferences</h2>");
  });

  test("an unknown or erased recipient is a 404 with a clear message, the form kept", async () => {
    const unknown = await page("/admin/recipients?id=nobody", 404);
    expect(unknown).toContain("No recipient has the id &#39;nobody&#39; (or it was erased).");
    expect(unknown).toContain('value="nobody"');
    expect(await page("/admin/recipients?contact=ghost%40example.com", 404)).toContain(
      "No recipient has the email address ghost@example.com.",
    );
    await t.call("PUT", "/v1/recipients/gone-1", { key: t.portalKey, body: { kind: "customer" } });
    expect((await t.call("DELETE", "/v1/recipients/gone-1")).status).toBe(204);
    await page("/admin/recipients?id=gone-1", 404);
  });

  test("bad input is refused with the reason and nothing is looked up", async () => {
    expect(await page("/admin/recipients?id=no%20spaces", 400)).toContain(
      "Recipient id must be 1-128 letters, digits or . _ : -",
    );
    expect(await page("/admin/recipients?contact=pat%40", 400)).toContain(
      "Email address must be a valid email address",
    );
    expect(await page("/admin/recipients?contact=555-0100", 400)).toContain(
      "Contact must be an email address or a phone number with its country code",
    );
    const both = await page("/admin/recipients?id=tech-1&contact=pat%40example.com", 400);
    expect(both).toContain("Give a recipient id or a contact, not both");
    expect(both).not.toContain("<h2>Preferences</h2>");
  });

  test("the remove button on the page lifts the suppression and comes back to the recipient", async () => {
    const res = await browser.post("/admin/suppressions/remove", {
      channel: "email",
      contact: "pat@example.com",
      recipient: "tech-1",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/recipients?id=tech-1&done=removed");
    expect((await (await t.call("GET", "/v1/suppressions")).json()).items).toEqual([]);
    const html = await page("/admin/recipients?id=tech-1&done=removed");
    expect(html).toContain("The suppression was removed");
    expect(html).toContain("None: Herald may send to every contact of this recipient.");
  });
});
