import { describe, expect, test } from "bun:test";
import { linkToken, unsubscribeUrl } from "../../src/domain/recipient-tokens/recipient-links.ts";
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
  },
});
await t.call("PUT", "/v1/recipients/cust-1/preferences", {
  body: {
    emailEnabled: true,
    smsEnabled: true,
    categoryOptOuts: { email: [], sms: ["marketing"] },
    quietHours: { enabled: true, start: "21:00", end: "06:30" },
    digestHour: 8,
  },
});
const token = linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1");
const preferences = async () => (await t.call("GET", "/v1/recipients/cust-1/preferences")).json();

describe("unsubscribe links", () => {
  test("the link in every email points here", () => {
    expect(unsubscribeUrl("https://herald.example.com", t.deps.tokenSecret, "cust-1")).toBe(
      `https://herald.example.com/unsubscribe?token=${token}`,
    );
  });

  test("GET shows a confirmation page and changes nothing (scanners follow links)", async () => {
    const res = await t.call("GET", `/unsubscribe?token=${token}`, { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain('method="post"');
    expect(page).toContain(`/unsubscribe?token=${encodeURIComponent(token)}`);
    expect((await preferences()).emailEnabled).toBe(true);
  });

  test("a one-click POST (RFC 8058) turns email off, keeps every other preference, and can be repeated", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await t.call("POST", `/unsubscribe?token=${token}`, {
        key: null,
        body: "List-Unsubscribe=One-Click",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(200);
    }
    expect(await preferences()).toEqual({
      emailEnabled: false,
      smsEnabled: true,
      categoryOptOuts: { email: [], sms: ["marketing"] },
      quietHours: { enabled: true, start: "21:00", end: "06:30" },
      digestHour: 8,
      digestCategories: [],
    });
    // And the next notification skips email with its reason.
    const created = await (
      await t.call("POST", "/v1/notifications", {
        body: { recipientId: "cust-1", template: "test-message", priority: "HIGH" },
      })
    ).json();
    expect(created.decisions[0]).toMatchObject({
      channel: "email",
      status: "skipped",
      reason: "channel-opt-out",
    });
  });

  test("a forged or altered token is a 403 problem and changes nothing; an erased recipient is a 404", async () => {
    const forged = linkToken("some-other-secret-entirely-000000", "unsubscribe", "cust-2");
    await t.call("PUT", "/v1/recipients/cust-2", {
      body: { kind: "customer", email: "x@example.com", emailVerified: true },
    });
    for (const bad of [forged, `${token}x`, "u1.garbage"]) {
      const res = await t.call("POST", `/unsubscribe?token=${encodeURIComponent(bad)}`, { key: null });
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await (await t.call("GET", "/v1/recipients/cust-2/preferences")).json()).emailEnabled).toBe(true);
    await t.call("DELETE", "/v1/recipients/cust-2");
    const erased = await t.call(
      "POST",
      `/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-2")}`,
      { key: null },
    );
    expect(erased.status).toBe(404);
  });
});
