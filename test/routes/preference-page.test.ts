/**
 * The recipient's preference page: the "Manage your notification preferences" link in every email opens it
 * (no login: the link's signed token names the recipient), it shows what is stored, and saving it changes
 * exactly what the form says. The same page in a real browser at a phone's width: test/e2e/preference-page-browser.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { linkToken, preferencesUrl } from "../../src/domain/recipient-tokens/recipient-links.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp();
await t.call("PUT", "/v1/recipients/cust-1", {
  body: {
    kind: "customer",
    name: "Dana",
    email: "dana@example.com",
    emailVerified: true,
    phone: "+15551230009",
    phoneVerified: true,
    timezone: "America/Chicago",
  },
});
// "legacy-topic" is no template's category any more, but Dana opted out of it by SMS once.
const stored = {
  emailEnabled: true,
  smsEnabled: true,
  categoryOptOuts: { email: [], sms: ["legacy-topic"] },
  quietHours: { enabled: false, start: "22:00", end: "07:00" },
  digestHour: 9,
  digestCategories: [],
};
const token = linkToken(t.deps.tokenSecret, "preferences", "cust-1");
const preferences = async () => (await t.call("GET", "/v1/recipients/cust-1/preferences")).json();
const reset = () => t.call("PUT", "/v1/recipients/cust-1/preferences", { body: stored });
const post = (body: string, link = token) =>
  t.call("POST", `/preferences?token=${encodeURIComponent(link)}`, {
    key: null,
    body,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
/** The form a browser sends: repeated names for ticked topics, nothing for unticked boxes. */
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

describe("the preference page", () => {
  test("every email links to it, and the link opens the recipient's page without a key", async () => {
    await reset();
    const created = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "cust-1", template: "test-message", priority: "HIGH" },
    });
    expect(created.status).toBe(201);
    await t.delivery.runUntilIdle();
    const outbox = await (await t.call("GET", "/v1/outbox?recipientId=cust-1&channel=email")).json();
    const html: string = outbox.items[0].html;
    const href = html.match(/href="([^"]+)"[^>]*>Manage your notification preferences/)?.[1];
    expect(href).toBe(`http://localhost:3000/preferences?token=${token}`);
    expect(outbox.items[0].text).toContain(`Manage your notification preferences: ${href}`);

    const res = await t.call("GET", new URL(href as string).pathname + new URL(href as string).search, {
      key: null,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await res.text();
    expect(page).toContain("Dana, choose how");
    expect(page).toContain("America/Chicago");
    // Email and SMS on; the legacy topic is listed (so it can be turned back on) and unticked for SMS.
    expect(page).toMatch(/<input type="checkbox" name="emailEnabled" checked/);
    expect(page).toMatch(/name="sms" value="legacy-topic" aria-label="legacy-topic by SMS"\/>/);
    expect(page).toMatch(/name="email" value="legacy-topic" checked=""/);
    // One-click unsubscribe stays, with its own token.
    expect(page).toContain(`/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1")}`);
  });

  test("HERALD_PREFERENCES_URL still sends recipients to the portal's own page", () => {
    const config = {
      HERALD_PUBLIC_URL: "https://herald.example.com",
      HERALD_PREFERENCES_URL: "https://portal.example.com/account/notifications?user={recipientId}",
    };
    expect(preferencesUrl(config, "secret", "cust 1")).toBe(
      "https://portal.example.com/account/notifications?user=cust%201",
    );
    expect(preferencesUrl({ HERALD_PUBLIC_URL: "https://herald.example.com/" }, "secret", "cust-1")).toBe(
      `https://herald.example.com/preferences?token=${linkToken("secret", "preferences", "cust-1")}`,
    );
  });

  test("saving changes exactly what the form says, keeps topics it did not list, and redirects back", async () => {
    await reset();
    const res = await post(
      form([
        ["emailEnabled", "on"],
        ["shown", "account"],
        ["shown", "repairs"],
        ["email", "repairs"], // account unticked by email
        ["sms", "account"],
        ["sms", "repairs"],
        ["digest", "repairs"],
        ["digest", "not-shown"], // a topic the page did not list is ignored
        ["quietHoursEnabled", "on"],
        ["quietStart", "21:30"],
        ["quietEnd", "06:45"],
        ["digestHour", "7"],
      ]),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/preferences?token=${encodeURIComponent(token)}&saved=1`);
    expect(await preferences()).toEqual({
      emailEnabled: true,
      smsEnabled: false,
      categoryOptOuts: { email: ["account"], sms: ["legacy-topic"] },
      quietHours: { enabled: true, start: "21:30", end: "06:45" },
      digestHour: 7,
      digestCategories: ["repairs"],
    });
    const after = await (await t.call("GET", `/preferences?token=${token}&saved=1`, { key: null })).text();
    expect(after).toContain("Your preferences are saved.");
    expect(after).toMatch(/name="quietStart" value="21:30"/);
    expect(after).toMatch(/<option value="7" selected="">07:00<\/option>/);

    // A later save that lists the legacy topic and ticks it turns SMS for it back on.
    await post(
      form([
        ["smsEnabled", "on"],
        ["shown", "legacy-topic"],
        ["sms", "legacy-topic"],
        ["email", "legacy-topic"],
        ["quietStart", "21:30"],
        ["quietEnd", "06:45"],
        ["digestHour", "7"],
      ]),
    );
    const again = await preferences();
    expect(again.categoryOptOuts).toEqual({ email: ["account"], sms: [] });
    expect(again.emailEnabled).toBe(false);
    expect(again.quietHours.enabled).toBe(false);
    expect(again.digestCategories).toEqual(["repairs"]);
  });

  test("quiet hours that end where they start: the page again, with the error and the choices kept; nothing saved", async () => {
    await reset();
    const res = await post(
      form([
        ["smsEnabled", "on"],
        ["quietHoursEnabled", "on"],
        ["quietStart", "22:00"],
        ["quietEnd", "22:00"],
        ["digestHour", "9"],
      ]),
    );
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("Not saved: Quiet hours must end at a different time than they start");
    // What the recipient chose is still on the page: email unticked, quiet hours ticked.
    expect(page).toMatch(/<input type="checkbox" name="emailEnabled"\/>/);
    expect(page).toMatch(/name="quietHoursEnabled" checked/);
    expect(await preferences()).toEqual(stored);
  });

  test("a malformed form is a problem+json 400 and changes nothing", async () => {
    await reset();
    for (const body of [
      form([
        ["digestHour", "99"],
        ["quietStart", "22:00"],
        ["quietEnd", "07:00"],
      ]),
      form([
        ["digestHour", "9"],
        ["quietStart", "25:00"],
        ["quietEnd", "07:00"],
      ]),
      form([
        ["digestHour", "9"],
        ["quietStart", "22:00"],
        ["quietEnd", "07:00"],
        ["emailEnabled", "yes"],
      ]),
      form([
        ["digestHour", "9"],
        ["quietStart", "22:00"],
        ["quietEnd", "07:00"],
        ["email", "x".repeat(65)],
      ]),
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await preferences()).toEqual(stored);
  });

  test("an unsubscribe token, a forged or altered token is a 403; an erased recipient a 404", async () => {
    await t.call("PUT", "/v1/recipients/cust-2", { body: { kind: "customer", email: "x@example.com" } });
    const valid = form([
      ["digestHour", "9"],
      ["quietStart", "22:00"],
      ["quietEnd", "07:00"],
    ]);
    for (const bad of [
      linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1"),
      linkToken("some-other-secret-entirely-000000", "preferences", "cust-1"),
      `${token}x`,
      "p1.garbage",
    ]) {
      expect(
        (await t.call("GET", `/preferences?token=${encodeURIComponent(bad)}`, { key: null })).status,
      ).toBe(403);
      expect((await post(valid, bad)).status).toBe(403);
    }
    expect((await t.call("GET", "/preferences", { key: null })).status).toBe(400);
    await t.call("DELETE", "/v1/recipients/cust-2");
    const erased = linkToken(t.deps.tokenSecret, "preferences", "cust-2");
    expect((await t.call("GET", `/preferences?token=${erased}`, { key: null })).status).toBe(404);
    expect((await post(valid, erased)).status).toBe(404);
  });
});
