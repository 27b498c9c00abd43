/**
 * A create reads the recipient's stored preferences (one query with the recipient, the preferences as one JSON
 * column) and decides with them: channel and category opt-outs, quiet hours and digest categories all count.
 */
import { describe, expect, test } from "bun:test";
import { setUpJobUpdate, technician } from "../../helpers/notification-fixtures.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

// 18:00Z = 12:00 in Chicago.
const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });
await setUpJobUpdate(t, "tech-1");
expect(
  (
    await t.call("PUT", "/v1/recipients/tech-2", {
      body: technician({ email: "b@example.com" }),
      key: t.portalKey,
    })
  ).status,
).toBe(201);

async function decisions(recipientId: string, id: string) {
  const res = await t.call("POST", "/v1/notifications", {
    body: { recipientId, template: "job-update", context: { id } },
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
  return Object.fromEntries(
    ((await res.json()).decisions as { channel: string; status: string; reason: string | null }[]).map(
      (d) => [d.channel, `${d.status}:${d.reason}`],
    ),
  );
}

describe("stored preferences", () => {
  test("a recipient without stored preferences gets the defaults: HIGH goes by email and SMS at once", async () => {
    expect(await decisions("tech-2", "R-1")).toEqual({ email: "queued:null", sms: "queued:null" });
  });

  test("SMS turned off and quiet hours over the recipient's noon: SMS skipped, email deferred", async () => {
    const prefs = {
      emailEnabled: true,
      smsEnabled: false,
      categoryOptOuts: { email: [], sms: [] },
      quietHours: { enabled: true, start: "11:00", end: "13:00" },
      digestHour: 9,
      digestCategories: [],
    };
    expect(
      (await t.call("PUT", "/v1/recipients/tech-1/preferences", { body: prefs, key: t.portalKey })).status,
    ).toBe(200);
    expect(await decisions("tech-1", "R-2")).toEqual({
      email: "deferred:quiet-hours",
      sms: "skipped:channel-opt-out",
    });
  });

  test("a category opted out of by email, with quiet hours off, skips only that channel", async () => {
    const prefs = {
      emailEnabled: true,
      smsEnabled: true,
      categoryOptOuts: { email: ["repair"], sms: [] },
      quietHours: { enabled: false, start: "22:00", end: "07:00" },
      digestHour: 9,
      digestCategories: [],
    };
    expect(
      (await t.call("PUT", "/v1/recipients/tech-1/preferences", { body: prefs, key: t.portalKey })).status,
    ).toBe(200);
    const d = await decisions("tech-1", "R-3");
    expect(d.email).toMatch(/^skipped:category/);
    expect(d.sms).toBe("queued:null");
  });
});
