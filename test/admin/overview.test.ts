import { describe, expect, test } from "bun:test";
import { ADMIN_CSP } from "../../src/admin/security.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "../domain/reports/report-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

// Monday 23 November 2026, 12:00 UTC, with a monthly SMS budget the month's pace will overrun.
const t = await makeTestApp({
  seed: false,
  now: NOW,
  env: { HERALD_SMS_DAILY_BUDGET_USD: "5", HERALD_SMS_MONTHLY_BUDGET_USD: "12" },
});
await addRecipients(t.deps, ["r1"]);
const email = (status: "sent" | "failed" | "digest") => ({
  recipientId: "r1",
  createdAt: NOW - HOUR,
  deliveries: [{ channel: "email" as const, status }],
});
// Today at 11:00: 9 emails sent and 1 failed (90 %, under the 95 % target), and one held for the digest.
await addNotifications(t.deps, [email("sent")], 9);
await addNotifications(t.deps, [email("failed"), email("digest")]);
// Saturday: 5 SMS sent at $2 each (100 %, meeting 98 %): $10 in 23 days, a $13.04 pace for November.
await addNotifications(
  t.deps,
  [
    {
      recipientId: "r1",
      createdAt: NOW - 2 * DAY,
      deliveries: [{ channel: "sms", status: "sent", sentAt: NOW - 2 * DAY, costUsd: 2 }],
    },
  ],
  5,
);
const browser = await signIn(t);

async function overview(query = "", status = 200) {
  const res = await browser.get(`/admin${query}`);
  expect(res.status).toBe(status);
  expect(res.headers.get("content-security-policy")).toBe(ADMIN_CSP);
  const html = await res.text();
  expect(html).not.toContain("<script");
  expect(html).not.toContain("<style");
  return html;
}

/** Each chart on the page: its accessible name and its table's rows as "label: cell | cell". */
function charts(html: string) {
  return [...html.matchAll(/<figure class="series-chart">([\s\S]*?)<\/figure>/g)].map(([, figure = ""]) => {
    const svg = /<svg[^>]*role="img"[^>]*aria-label="([^"]+)"[^>]*><title>([^<]+)<\/title>/.exec(figure);
    const rows = [...figure.matchAll(/<tr><th scope="row">([^<]+)<\/th>(.*?)<\/tr>/g)].map(
      ([, label, cells = ""]) =>
        `${label}: ${[...cells.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]).join(" | ")}`,
    );
    expect(svg?.[1]).toBe(svg?.[2]);
    return { name: svg?.[1], rows, lines: (figure.match(/<polyline /g) ?? []).length };
  });
}

describe("admin overview", () => {
  test("volume today and over 7 days by channel: notifications in-app, deliveries made per channel", async () => {
    const html = await overview();
    expect(html).toContain('<th scope="row">In-app</th><td>11</td><td>16</td>');
    expect(html).toContain('<th scope="row">Email</th><td>10</td><td>10</td>'); // the digest one was not made
    expect(html).toContain('<th scope="row">SMS</th><td>0</td><td>5</td>');
  });

  test("delivery rates show the rate, the target and whether it is met", async () => {
    const html = await overview();
    expect(html).toContain(
      '<th scope="row">Email</th><td>95.0 %</td><td class="health-failing">90.0 % (below target)</td><td class="health-failing">90.0 % (below target)</td>',
    );
    expect(html).toContain(
      '<th scope="row">SMS</th><td>98.0 %</td><td>— (nothing finished)</td><td class="health-healthy">100.0 % (meets target)</td>',
    );
  });

  test("SMS spend today and this month against the budget, with the month's projection", async () => {
    const html = await overview();
    expect(html).toContain("<dt>Today (UTC)</dt><dd>$0.00 of $5.00 (0 %)</dd>");
    expect(html).toContain("<dt>This month</dt><dd>$10.00 of $12.00 (83 %)</dd>");
    expect(html).toContain('<dd class="health-failing">$13.04: over the monthly budget</dd>');
  });

  test("the charts cover 24 hours per hour, and 7 or 30 days per day, each named and with its figures", async () => {
    const week = charts(await overview());
    expect(week.map((c) => c.name)).toEqual([
      "Notifications and deliveries per day, last 7 days",
      "Delivery rate per day, last 7 days",
      "SMS cost per day, last 7 days",
    ]);
    expect(week.map((c) => c.rows.length)).toEqual([7, 7, 7]);
    const [volume, rates, cost] = week;
    expect(volume?.rows).toContain("11-21: 5 | 0 | 5");
    expect(volume?.rows.at(-1)).toBe("11-23: 11 | 10 | 0");
    expect(rates?.rows).toContain("11-21: — | 100.0 %");
    expect(rates?.rows.at(-1)).toBe("11-23: 90.0 % | —");
    expect(cost?.rows).toContain("11-21: $10.00");
    // Email and SMS each drew a point where deliveries finished (a lone point is no line); the targets are dashed.
    expect(rates?.lines).toBe(0);

    const day = charts(await overview("?period=24h"));
    expect(day.map((c) => c.name)).toEqual([
      "Notifications and deliveries per hour, last 24 hours",
      "Delivery rate per hour, last 24 hours",
      "SMS cost per hour, last 24 hours",
    ]);
    expect(day.map((c) => c.rows.length)).toEqual([24, 24, 24]);
    expect(day[0]?.rows[0]).toBe("13:00: 0 | 0 | 0");
    expect(day[0]?.rows).toContain("11:00: 11 | 10 | 0");
    expect(day[1]?.rows).toContain("11:00: 90.0 % | —");

    const month = charts(await overview("?period=30d"));
    expect(month.map((c) => c.rows.length)).toEqual([30, 30, 30]);
    expect(month[0]?.rows[0]).toBe("10-25: 0 | 0 | 0");
    expect(month[0]?.lines).toBe(3);
    // The headline figures do not depend on the charts' period.
    expect(await overview("?period=30d")).toContain('<th scope="row">In-app</th><td>11</td><td>16</td>');
  });

  test("the period links mark the current one; a period not offered is refused with the 7 days shown", async () => {
    const html = await overview("?period=24h");
    expect(html).toContain('<a href="/admin?period=24h" aria-current="page">24 h</a>');
    expect(html).toContain('<a href="/admin?period=30d">30 d</a>');
    const bad = await overview("?period=1y", 400);
    expect(bad).toContain("period must be one of 24h, 7d, 30d; showing 7d");
    expect(charts(bad).map((c) => c.rows.length)).toEqual([7, 7, 7]);
  });
});
