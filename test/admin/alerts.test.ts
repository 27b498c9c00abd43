import { describe, expect, test } from "bun:test";
import { alertEvents } from "../../db/schema.ts";
import { newId } from "../../src/ids.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const MINUTE = 60_000;
const t = await makeTestApp({ seed: false });
const browser = await signIn(t);
const runAlerts = () => {
  const scheduler = t.deps.schedulers.find((s) => s.name === "alerts");
  if (!scheduler) throw new Error("no alerts scheduler");
  return scheduler.runOnce();
};
const page = async (path: string, status = 200) => {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
};
/** The history table's rows as `rule: from → to`. */
const historyRows = (html: string) =>
  [...html.matchAll(/<th scope="row">([^<]+)<\/th><td>(\w+) → <span class="[\w-]+">(\w+)<\/span>/g)].map(
    (m) => `${m[1]}: ${m[2]} → ${m[3]}`,
  );

describe("admin alerts page", () => {
  test("shows each rule's state and the history of changes, newest first, filtered by rule and paged", async () => {
    expect(await page("/admin/alerts")).toContain("No state change recorded");
    // A backlog: pending, then firing (with the stalled worker) ten minutes later, then resolved.
    const ids = await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    await runAlerts();
    t.clock.advance(10 * MINUTE);
    await runAlerts();
    await t.deps.db.write(async (tx) => {
      for (const id of ids) await tx.run(`UPDATE deliveries SET status = 'sent' WHERE id = '${id}'`);
    });
    t.clock.advance(MINUTE);
    await runAlerts();

    const html = await page("/admin/alerts");
    // Newest first; changes of one evaluation in reverse rule order (ids are ULIDs, given in rule order).
    expect(historyRows(html)).toEqual([
      "HeraldWorkerStalled:email: firing → ok",
      "HeraldQueueBacklog:email: firing → ok",
      "HeraldWorkerStalled:email: ok → firing",
      "HeraldQueueBacklog:email: pending → firing",
      "HeraldQueueBacklog:email: ok → pending",
    ]);
    expect(html).toContain('<label for="f-rule">Rule</label>');

    const one = await page("/admin/alerts?rule=HeraldWorkerStalled%3Aemail");
    expect(historyRows(one)).toEqual([
      "HeraldWorkerStalled:email: firing → ok",
      "HeraldWorkerStalled:email: ok → firing",
    ]);
    // A long history pages 50 changes at a time.
    await t.deps.db.write(async (tx) => {
      for (let i = 0; i < 60; i++) {
        const at = t.clock.now() + i;
        await tx.insert(alertEvents).values({
          id: newId(at),
          name: "HeraldQueueBacklog:sms",
          severity: "warning",
          from: i % 2 ? "pending" : "ok",
          to: i % 2 ? "ok" : "pending",
          summary: `change ${i}`,
          at,
        });
      }
    });
    const first = await page("/admin/alerts?rule=HeraldQueueBacklog%3Asms");
    expect(historyRows(first)).toHaveLength(50);
    const next = /href="(\/admin\/alerts\?[^"]*cursor=[^"]+)" rel="next"/
      .exec(first)?.[1]
      ?.replaceAll("&amp;", "&");
    const second = await page(next as string);
    expect(historyRows(second)).toHaveLength(10);
    expect(second).toContain("change 0");
    expect(second).not.toContain('rel="next"');

    expect(await page("/admin/alerts?rule=NoSuchRule", 400)).toContain(
      "Rule must be one of the listed rules",
    );
    expect(await page("/admin/alerts?cursor=not-a-cursor", 400)).toContain("cursor is not valid");
  });
});
