import { describe, expect, test } from "bun:test";
import { csvField, toCsv } from "../../src/admin/csv.rules.ts";
import { reportNames } from "../../src/domain/reports/report-catalogue.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "../domain/reports/report-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false, now: NOW });
// Text that reached Herald from outside, written to break a naive CSV: a formula, quotes, commas.
const FORMULA_CATEGORY = '=HYPERLINK("http://evil.example","click")';
await addRecipients(t.deps, ["r1", "r2"]);
await addNotifications(t.deps, [
  {
    recipientId: "r1",
    createdAt: NOW - HOUR,
    priority: "URGENT",
    category: FORMULA_CATEGORY,
    deliveries: [
      { channel: "sms", status: "sent", sentAt: NOW - HOUR, costUsd: 0.00645 },
      {
        channel: "email",
        status: "failed",
        attempts: [
          {
            status: "failed",
            createdAt: NOW - HOUR,
            errorCode: "@provider",
            errorMessage: 'Rejected: "blocked", try later',
          },
        ],
      },
    ],
  },
  {
    recipientId: "r2",
    createdAt: NOW - 3 * DAY,
    deliveries: [{ channel: "sms", status: "sent", sentAt: NOW - 3 * DAY, costUsd: 0.01 }],
  },
]);
const browser = await signIn(t);

async function page(path: string, status = 200): Promise<string> {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
}

/** The `href`s of the CSV links on a report page, decoded. */
const csvLinks = (html: string) =>
  [...html.matchAll(/href="(\/admin\/reports\/[a-z-]+\.csv\?[^"]*)"/g)].map((m) =>
    (m[1] ?? "").replaceAll("&amp;", "&"),
  );

describe("admin report pages", () => {
  test("the index links every report of the catalogue", async () => {
    const html = await page("/admin/reports");
    for (const name of reportNames) expect(html).toContain(`<a href="/admin/reports/${name}">`);
  });

  test("every report renders 200 with a chart, its tables and a CSV link per table", async () => {
    for (const name of reportNames) {
      const html = await page(`/admin/reports/${name}`);
      expect(html).toContain('<a href="/admin/reports" aria-current="page">Reports</a>');
      expect(html).toMatch(/<table><caption>[^<]+<\/caption><thead><tr><th scope="col">/);
      expect(html).toMatch(/<svg class="chart( wide)?" role="img"|Nothing to chart\./);
      const tables = html.match(/<table>/g)?.length ?? 0;
      expect(csvLinks(html)).toEqual(
        Array.from({ length: tables }, (_, i) => `/admin/reports/${name}.csv?table=${i + 1}`),
      );
    }
  });

  test("the figures are the report's: SMS cost as a line chart, volume by priority as bars, the formula as text", async () => {
    const costs = await page("/admin/reports/sms-costs");
    expect(costs).toContain("<polyline");
    expect(costs).toContain("<title>SMS cost, 2026-11-23: $0.01</title>");
    const volume = await page("/admin/reports/volume?window=24h");
    expect(volume).toMatch(/URGENT<\/text><rect[^>]*><\/rect><text[^>]*>1<\/text>/);
    expect(volume).toContain("<td>=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)</td>");
  });

  test("window and limit are the API's options: echoed in the form and the CSV links, and they change the figures", async () => {
    const day = await page("/admin/reports/top-sms-recipients?window=24h&limit=5");
    expect(day).toContain('name="window" type="text" value="24h"');
    expect(day).toContain('name="limit" type="number" value="5"');
    expect(day).toContain("<td>r1</td>");
    expect(day).not.toContain("<td>r2</td>");
    expect(csvLinks(day)).toEqual(["/admin/reports/top-sms-recipients.csv?window=24h&limit=5&table=1"]);
    const week = await page("/admin/reports/top-sms-recipients?window=7d&limit=1");
    expect(week).toContain("<td>r2</td>"); // the dearer one, and only one row
    expect(week).not.toContain("<td>r1</td>");
    // A report without options has no form.
    expect(await page("/admin/reports/retention")).not.toContain('aria-label="Report options"');
  });

  test("bad options are a 400 naming the field, with the input kept and no table", async () => {
    const malformed = await page("/admin/reports/volume?window=week", 400);
    expect(malformed).toContain("window: must be a number of hours or days, like 24h or 7d");
    expect(malformed).toContain('value="week"');
    expect(malformed).not.toContain("<table>");
    expect(await page("/admin/reports/volume?window=400d", 400)).toContain("window: must be at most 366d");
    expect(await page("/admin/reports/failures?limit=0", 400)).toContain("limit: Too small");
    expect(await page("/admin/reports/nope", 404)).toContain("Report &#39;nope&#39; does not exist");
  });

  test("CSV download: an attachment of text/csv with the header row, RFC 4180 quoting and formulas made text", async () => {
    const res = await browser.get("/admin/reports/failures.csv?window=7d&table=2");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="herald-failures-table-2-2026-11-23.csv"',
    );
    expect(await res.text()).toBe(
      "COUNT,CHANNEL,CODE,LAST,MESSAGE\r\n" +
        `1,email,'@provider,2026-11-23T11:00:00Z,"Rejected: ""blocked"", try later"\r\n`,
    );

    const volume = await browser.get("/admin/reports/volume.csv?window=24h");
    expect(volume.headers.get("content-disposition")).toBe(
      'attachment; filename="herald-volume-2026-11-23.csv"',
    );
    const lines = (await volume.text()).split("\r\n");
    expect(lines[0]).toBe("CATEGORY,TOTAL,URGENT,HIGH,MEDIUM,LOW");
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",1,1,0,0,0`);
  });

  test("a CSV of a table the report does not have, or of an unknown report, or with bad options, is refused", async () => {
    expect((await browser.get("/admin/reports/volume.csv?table=2")).status).toBe(400);
    expect((await browser.get("/admin/reports/volume.csv?table=x")).status).toBe(400);
    expect((await browser.get("/admin/reports/volume.csv?window=week")).status).toBe(400);
    expect((await browser.get("/admin/reports/nope.csv")).status).toBe(404);
  });
});

describe("CSV fields", () => {
  test("are quoted only when they must be, with quotes doubled and line breaks kept inside", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(
      toCsv([
        ["A", "B"],
        ["1", "x,y"],
      ]),
    ).toBe('A,B\r\n1,"x,y"\r\n');
  });

  test("a cell a spreadsheet would run as a formula starts with a quote; plain numbers stay numbers", () => {
    for (const formula of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
      expect(csvField(formula).replace(/^"/, "")).toStartWith("'");
    expect(csvField("=A1,B1")).toBe(`"'=A1,B1"`);
    for (const number of ["-3", "+15555550100", "0.25", "-0.0040"]) expect(csvField(number)).toBe(number);
  });
});
