// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { inArray, sql } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false, now: Date.now() });
const now = t.clock.now();
// Recipient a: 3 failed emails, 1 sent, 1 queued, and 1 failed whose recipient was erased (nothing to resend).
const a = await seedDeliveries(t.deps.db, { count: 6, channel: "email", now, recipientId: "bulk-a" });
// Recipient b: 2 failed SMS, 1 queued.
const b = await seedDeliveries(t.deps.db, { count: 3, channel: "sms", now, recipientId: "bulk-b" });
const failedEmails = a.slice(0, 3);
// a[4] stays queued.
const [sentEmail, , erasedEmail] = a.slice(3) as [string, string, string];
await t.deps.db.write(async (tx) => {
  await tx.run(sql`UPDATE deliveries SET status = 'failed', last_error = 'mailbox full'
    WHERE id IN (${sql.join([...failedEmails, erasedEmail, b[0]!, b[1]!], sql`, `)})`);
  await tx.run(sql`UPDATE deliveries SET status = 'sent' WHERE id = ${sentEmail}`);
  await tx.run(sql`UPDATE deliveries SET destination = NULL, payload = NULL WHERE id = ${erasedEmail}`);
});
const browser = await signIn(t);

async function statuses(ids: string[]) {
  const rows = await t.deps.db.read
    .select({ id: deliveries.id, status: deliveries.status })
    .from(deliveries)
    .where(inArray(deliveries.id, ids));
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}
const all = [...a, ...b];

describe("bulk actions on the delivery list", () => {
  test("the list offers both actions for the filtered set, carrying its filters", async () => {
    const html = await (await browser.get("/admin/deliveries?channel=email&status=failed")).text();
    expect(html).toContain('<form method="post" action="/admin/deliveries/bulk"');
    expect(html).toContain('<input type="hidden" name="channel" value="email"/>');
    expect(html).toContain('<input type="hidden" name="status" value="failed"/>');
    expect(html).toContain('<button type="submit" name="action" value="retry">');
    expect(html).toContain('<button type="submit" name="action" value="cancel" class="secondary">');
  });

  test("retry asks first with the exact count, then changes exactly those rows and says how many", async () => {
    const before = await statuses(all);
    const ask = await browser.post("/admin/deliveries/bulk", { action: "retry", channel: "email" });
    expect(ask.status).toBe(200);
    const page = await ask.text();
    // Three failed emails still have something to send; the erased one, the sent one and the SMS do not count.
    expect(page).toContain("will change exactly <strong>3 deliveries</strong>");
    expect(page).toContain("(failed, unknown, cancelled)");
    expect(page).toContain('<input type="hidden" name="confirm" value="1"/>');
    expect(page).toContain('<input type="hidden" name="expected" value="3"/>');
    expect(page).toContain('<input type="hidden" name="channel" value="email"/>');
    expect(page).toContain("Retry 3 deliveries");
    expect(await statuses(all)).toEqual(before); // asking changes nothing

    const done = await browser.post("/admin/deliveries/bulk", {
      action: "retry",
      channel: "email",
      confirm: "1",
      expected: "3",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/admin/deliveries?channel=email&done=retried&changed=3");
    expect(await statuses(all)).toEqual({
      ...before,
      ...Object.fromEntries(failedEmails.map((id) => [id, "queued"])),
    });
    const list = await (await browser.get(done.headers.get("location")!)).text();
    expect(list).toContain("Retried 3 deliveries: back in the queue, due now.");
  });

  test("a retry of a status that cannot be retried is refused and changes nothing", async () => {
    const before = await statuses(all);
    const res = await browser.post("/admin/deliveries/bulk", {
      action: "retry",
      status: "sent",
      confirm: "1",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("only failed, unknown, cancelled deliveries can be retried, not sent");
    expect(await statuses(all)).toEqual(before);
  });

  test("cancel without any filter is refused, even confirmed: the whole queue is never one click away", async () => {
    const before = await statuses(all);
    for (const fields of [
      { action: "cancel" },
      { action: "cancel", status: "queued", confirm: "1" },
    ] as Record<string, string>[]) {
      const res = await browser.post("/admin/deliveries/bulk", fields);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("refusing to cancel the whole queue");
      expect(html).toContain("Nothing was changed.");
    }
    expect(await statuses(all)).toEqual(before);
  });

  test("cancel of one recipient's queued deliveries: the count, then exactly those are cancelled", async () => {
    const before = await statuses(all);
    const queuedOfA = a.filter((id) => before[id] === "queued");
    expect(queuedOfA).toHaveLength(4); // the one seeded queued and the three retried above
    const ask = await (
      await browser.post("/admin/deliveries/bulk", { action: "cancel", recipient: "bulk-a" })
    ).text();
    expect(ask).toContain("will change exactly <strong>4 deliveries</strong>");
    expect(ask).toContain("<dt>Recipient id</dt><dd>bulk-a</dd>");

    const done = await browser.post("/admin/deliveries/bulk", {
      action: "cancel",
      recipient: "bulk-a",
      confirm: "1",
      expected: "4",
    });
    expect(done.headers.get("location")).toBe("/admin/deliveries?recipient=bulk-a&done=cancelled&changed=4");
    expect(await statuses(all)).toEqual({
      ...before,
      ...Object.fromEntries(queuedOfA.map((id) => [id, "cancelled"])),
    });
    expect(before[b[2]!]).toBe("queued");
    expect(await (await browser.get(done.headers.get("location")!)).text()).toContain(
      "Cancelled 4 deliveries.",
    );
    const logged = t.logs.find((l) => l.msg === "admin console: deliveries cancelled in bulk");
    expect(logged).toMatchObject({ changed: 4 });
    expect(JSON.stringify(logged)).not.toContain("bulk-a"); // the filter (a contact, an id) is not logged
  });

  test("a set that changed between the question and the confirmation is not touched: the new count is asked", async () => {
    const before = await statuses(all);
    const ask = await (
      await browser.post("/admin/deliveries/bulk", { action: "retry", channel: "sms" })
    ).text();
    expect(ask).toContain("will change exactly <strong>2 deliveries</strong>");
    // Meanwhile the third SMS fails too.
    await t.deps.db.write((tx) => tx.run(sql`UPDATE deliveries SET status = 'failed' WHERE id = ${b[2]!}`));
    const res = await browser.post("/admin/deliveries/bulk", {
      action: "retry",
      channel: "sms",
      confirm: "1",
      expected: "2",
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("Nothing was changed: 2 deliveries matched when you were asked, 3 match now.");
    expect(html).toContain('<input type="hidden" name="expected" value="3"/>');
    expect(await statuses(all)).toEqual({ ...before, [b[2]!]: "failed" });
    await t.deps.db.write((tx) => tx.run(sql`UPDATE deliveries SET status = 'queued' WHERE id = ${b[2]!}`));
  });

  test("when nothing matches the confirmation says so and offers no button", async () => {
    const html = await (
      await browser.post("/admin/deliveries/bulk", { action: "cancel", channel: "sms", recipient: "nobody" })
    ).text();
    expect(html).toContain("exactly <strong>0 deliveries</strong>");
    expect(html).toContain("No delivery matches: there is nothing to cancel.");
    expect(html).not.toContain('name="confirm"');
  });

  test("a confirmation without the CSRF token is refused and changes nothing", async () => {
    const before = await statuses(all);
    const res = await browser.post("/admin/deliveries/bulk", {
      action: "cancel",
      channel: "sms",
      confirm: "1",
      _csrf: "forged",
    });
    expect(res.status).toBe(403);
    expect(await statuses(all)).toEqual(before);
  });
});
