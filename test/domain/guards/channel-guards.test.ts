// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * The operator guards through `POST /v1/notifications` on a real database: loop guard, SMS budget (committed
 * spend, URGENT exempt, cost recorded on send), suppression list and rollout. Each test uses its own recipients
 * so the guards of one do not reach into another.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { and, eq, inArray, sql } from "drizzle-orm";
import { deliveries, notifications, suppressions } from "../../../db/schema.ts";
import { COMMITTED_SMS_STATUSES } from "../../../src/domain/guards/sms-budget.rules.ts";
import { checkSmsBudget, smsSpend } from "../../../src/domain/guards/sms-budget.service.ts";
import { jobUpdateTemplate, technician } from "../../helpers/notification-fixtures.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

// 18:00Z = 12:00 in Chicago: outside quiet hours.
const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

const US_SMS = 0.00645; // one GSM-7 segment to +1

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: jobUpdateTemplate })).status).toBe(201);
});

afterEach(async () => {
  await t.call("PUT", "/v1/settings", {
    body: {
      smsBudget: { dailyUsd: 50, monthlyUsd: 1500 },
      rollout: { email: { mode: "all" }, sms: { mode: "all" } },
    },
  });
});

async function person(id: string, kind = "technician", extra: Record<string, unknown> = {}) {
  const body = technician({ kind, email: `${id}@example.com`, ...extra });
  expect([200, 201]).toContain(
    (await t.call("PUT", `/v1/recipients/${id}`, { body, key: t.portalKey })).status,
  );
}

/** Creates a notification and returns its decisions as `{ email: "status:reason", sms: … }`. */
async function notify(recipientId: string, extra: Record<string, unknown> = {}) {
  const res = await t.call("POST", "/v1/notifications", {
    key: t.portalKey,
    body: { recipientId, template: "job-update", context: { id: "R-1" }, ...extra },
  });
  expect(res.status).toBe(201);
  const body = await res.json();
  const decisions = Object.fromEntries(
    body.decisions.map((d: { channel: string; status: string; reason: string | null }) => [
      d.channel,
      d.reason ? `${d.status}:${d.reason}` : d.status,
    ]),
  );
  return { id: body.notification.id as string, decisions };
}

const subject = (id: string) => ({ subject: { type: "repair", id } });

describe("loop guard", () => {
  test("the 6th notification of one template and subject within an hour sends nothing but is still stored", async () => {
    await person("loop-1");
    for (let i = 0; i < 5; i++)
      expect((await notify("loop-1", subject("R-1"))).decisions).toEqual({ email: "queued", sms: "queued" });
    t.clock.advance(59 * 60_000);
    const sixth = await notify("loop-1", subject("R-1"));
    expect(sixth.decisions).toEqual({ email: "skipped:loop", sms: "skipped:loop" });
    const [stored] = await t.deps.db.read.select().from(notifications).where(eq(notifications.id, sixth.id));
    expect(stored?.recipientId).toBe("loop-1");

    const warning = t.logs.find((l) => l.alert === "notification-loop");
    expect(warning).toMatchObject({
      level: "warn",
      notificationId: sixth.id,
      recipientId: "loop-1",
      template: "job-update",
      subjectId: "R-1",
    });
    expect(JSON.stringify(warning)).not.toContain("example.com");
    expect(JSON.stringify(warning)).not.toContain("+1555");

    // Another subject is another conversation; once the window has moved past the burst, R-1 sends again.
    expect((await notify("loop-1", subject("R-2"))).decisions).toEqual({ email: "queued", sms: "queued" });
    t.clock.advance(60 * 60_000);
    expect((await notify("loop-1", subject("R-1"))).decisions).toEqual({ email: "queued", sms: "queued" });
  });

  test("without a subject, every notification of the template counts", async () => {
    await person("loop-2");
    for (let i = 0; i < 5; i++) await notify("loop-2", subject(`R-${i}`));
    expect((await notify("loop-2")).decisions).toEqual({ email: "skipped:loop", sms: "skipped:loop" });
  });

  test("the limit and window are operator settings", async () => {
    await person("loop-3");
    await t.call("PUT", "/v1/settings", { body: { loopGuard: { max: 1, windowMinutes: 5 } } });
    try {
      await notify("loop-3", subject("R-1"));
      expect((await notify("loop-3", subject("R-1"))).decisions).toEqual({
        email: "skipped:loop",
        sms: "skipped:loop",
      });
      t.clock.advance(5 * 60_000);
      expect((await notify("loop-3", subject("R-1"))).decisions).toEqual({ email: "queued", sms: "queued" });
    } finally {
      await t.call("PUT", "/v1/settings", { body: { loopGuard: { max: 5, windowMinutes: 60 } } });
    }
  });
});

describe("SMS budget", () => {
  test("counts committed spend of the UTC day and month; over it, HIGH SMS are skipped and URGENT ones still go", async () => {
    await person("budget-1");
    t.clock.set(Date.parse("2026-02-10T18:00:00Z"));
    // Room for three one-segment SMS to +1 today.
    await t.call("PUT", "/v1/settings", { body: { smsBudget: { dailyUsd: 0.02 } } });
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const created = await notify("budget-1", subject(`B-${i}`));
      expect(created.decisions).toEqual({ email: "queued", sms: "queued" });
      ids.push(created.id);
    }
    const [row] = await t.deps.db.read
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.notificationId, ids[0]!), eq(deliveries.channel, "sms")));
    expect(row?.costUsd).toBeCloseTo(US_SMS, 6);

    expect((await notify("budget-1", subject("B-4"))).decisions).toEqual({
      email: "queued",
      sms: "skipped:budget",
    });
    expect((await notify("budget-1", { ...subject("B-5"), priority: "URGENT" })).decisions).toEqual({
      email: "queued",
      sms: "queued",
    });

    const spend = await smsSpend(t.deps, t.clock.now());
    expect(spend.dayUsd).toBeCloseTo(4 * US_SMS, 6);
    expect(spend.monthUsd).toBeCloseTo(4 * US_SMS, 6);
    expect(spend).toMatchObject({ dailyLimitUsd: 0.02, monthlyLimitUsd: 1500 });

    // SMS that will never be sent (failed, cancelled) free their share of the budget.
    await t.deps.db.write((tx) =>
      tx
        .update(deliveries)
        .set({ status: "cancelled" })
        .where(and(inArray(deliveries.notificationId, ids), eq(deliveries.channel, "sms"))),
    );
    expect((await smsSpend(t.deps, t.clock.now())).dayUsd).toBeCloseTo(US_SMS, 6);

    // A new UTC day starts a new daily budget; the month still remembers (the URGENT SMS).
    t.clock.set(Date.parse("2026-02-11T00:00:00Z"));
    await t.call("PUT", "/v1/settings", { body: { smsBudget: { monthlyUsd: 0.02 } } });
    const nextDay = await smsSpend(t.deps, t.clock.now());
    expect(nextDay.dayUsd).toBe(0);
    expect(nextDay.monthUsd).toBeCloseTo(US_SMS, 6);
    expect((await notify("budget-1", subject("B-7"))).decisions).toEqual({ email: "queued", sms: "queued" });
    expect((await notify("budget-1", subject("B-8"))).decisions).toEqual({ email: "queued", sms: "queued" });
    expect((await notify("budget-1", subject("B-9"))).decisions).toEqual({
      email: "queued",
      sms: "skipped:budget",
    });
  });

  test("the per-day spend the guard reads stays equal to the committed SMS rows through every kind of change", async () => {
    t.clock.set(Date.parse("2026-03-05T12:00:00Z"));
    await person("budget-3");
    /** What the spend table says against a direct sum of the committed SMS rows, per day. */
    const compare = async () => {
      const days = await t.deps.db.read.all<{ day: number; usd: number }>(
        sql`SELECT day, usd FROM sms_spend_days WHERE abs(usd) > 1e-9 ORDER BY day`,
      );
      const rows = await t.deps.db.read.all<{ day: number; usd: number }>(sql`
        SELECT created_at / 86400000 AS day, sum(cost_usd) AS usd FROM deliveries
        WHERE channel = 'sms' AND status IN (${sql.join(
          COMMITTED_SMS_STATUSES.map((s) => sql`${s}`),
          sql`, `,
        )})
        GROUP BY 1 HAVING abs(sum(cost_usd)) > 1e-9 ORDER BY 1`);
      expect(days.map((d) => [d.day, Number(d.usd.toFixed(9))])).toEqual(
        rows.map((r) => [r.day, Number(r.usd.toFixed(9))]),
      );
      return rows;
    };
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await notify("budget-3", subject(`S-${i}`))).id);
    await compare();
    const smsOf = (id: string) => and(eq(deliveries.notificationId, id), eq(deliveries.channel, "sms"));
    // The provider's price replaces the estimate; a failure and a cancellation leave the budget.
    await t.deps.db.write((tx) =>
      tx.update(deliveries).set({ status: "sent", costUsd: 0.02 }).where(smsOf(ids[0]!)),
    );
    await t.deps.db.write((tx) => tx.update(deliveries).set({ status: "failed" }).where(smsOf(ids[1]!)));
    await t.deps.db.write((tx) => tx.update(deliveries).set({ status: "cancelled" }).where(smsOf(ids[2]!)));
    await compare();
    // A retried delivery counts again; a status change within the counted set changes nothing.
    await t.deps.db.write((tx) => tx.update(deliveries).set({ status: "queued" }).where(smsOf(ids[1]!)));
    await t.deps.db.write((tx) => tx.update(deliveries).set({ status: "leased" }).where(smsOf(ids[1]!)));
    await compare();
    // A rolled-back write leaves no trace; retention's deletes take their spend with them.
    await expect(
      t.deps.db.write(async (tx) => {
        await tx.update(deliveries).set({ costUsd: 5 }).where(smsOf(ids[1]!));
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    await t.deps.db.write((tx) => tx.delete(deliveries).where(smsOf(ids[0]!)));
    const today = Math.floor(t.clock.now() / 86_400_000);
    const after = (await compare()).find((d) => d.day === today);
    expect(after?.usd).toBeGreaterThan(0);
    expect((await smsSpend(t.deps, t.clock.now())).dayUsd).toBeCloseTo(after?.usd ?? 0, 9);
  });

  test("the migration's triggers count exactly the statuses the budget rules call committed", () => {
    const migration = readFileSync(
      new URL("../../../db/migrations/0005_sms_spend_days.sql", import.meta.url),
      "utf8",
    );
    const lists = [...migration.matchAll(/status`? IN \(([^)]*)\)/g)].map((m) =>
      m[1]!.replaceAll(/'|\s/g, "").split(","),
    );
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const list of lists) expect(list).toEqual([...COMMITTED_SMS_STATUSES]);
  });

  test("inside one transaction the guard sees the transaction's own earlier SMS: a batch cannot overshoot", async () => {
    t.clock.set(Date.parse("2026-03-06T12:00:00Z"));
    await t.call("PUT", "/v1/settings", { body: { smsBudget: { dailyUsd: 0.02 } } });
    const now = t.clock.now();
    const decisions = await t.deps.db.write(async (tx) => {
      const out: boolean[] = [];
      for (let i = 0; i < 4; i++) {
        const over = await checkSmsBudget(t.deps, tx, now, 0.008);
        out.push(over);
        // What a create that went ahead stores: a queued SMS with its estimate (the trigger counts it).
        if (!over)
          await tx.run(sql`INSERT INTO deliveries (id, notification_id, recipient_id, channel, status, priority_rank, run_at, max_attempts, cost_usd, created_at, updated_at)
          SELECT ${`batch-${i}`}, id, recipient_id, 'sms', 'queued', 1, ${now}, 8, 0.008, ${now}, ${now} FROM notifications LIMIT 1`);
      }
      return out;
    });
    expect(decisions).toEqual([false, false, true, true]);
  });

  test("a sent SMS records the provider-side cost on its delivery", async () => {
    await person("budget-2");
    // Only this notification in the queue, so the rate limit does not hold it behind earlier tests' deliveries.
    await t.deps.db.write((tx) =>
      tx.update(deliveries).set({ status: "cancelled" }).where(eq(deliveries.status, "queued")),
    );
    const { id } = await notify("budget-2", subject("C-1"));
    const smsRow = and(eq(deliveries.notificationId, id), eq(deliveries.channel, "sms"));
    // Pretend the estimate at creation was off: the send replaces it.
    await t.deps.db.write((tx) => tx.update(deliveries).set({ costUsd: 0 }).where(smsRow));
    await t.delivery.runUntilIdle();
    const [row] = await t.deps.db.read.select().from(deliveries).where(smsRow);
    expect(row?.status).toBe("sent");
    expect(row?.costUsd).toBeCloseTo(US_SMS, 6);
  });
});

describe("suppression list", () => {
  test("a suppressed address or number skips its channel with reason suppressed", async () => {
    await person("supp-1", "technician", { email: "Supp-1@Example.com", phone: "+15551239999" });
    await t.deps.db.write((tx) =>
      tx.insert(suppressions).values([
        {
          channel: "email",
          contact: "supp-1@example.com",
          reason: "bounce",
          source: "ses",
          createdAt: t.clock.now(),
        },
        {
          channel: "sms",
          contact: "+15551239999",
          reason: "opt-out",
          source: "sns",
          createdAt: t.clock.now(),
        },
      ]),
    );
    expect((await notify("supp-1", subject("S-1"))).decisions).toEqual({
      email: "skipped:suppressed",
      sms: "skipped:suppressed",
    });
  });
});

describe("rollout", () => {
  test("staff-only SMS skips other kinds with reason rollout; email is untouched", async () => {
    await person("roll-tech");
    await person("roll-staff", "staff");
    await t.call("PUT", "/v1/settings", { body: { rollout: { sms: { mode: "staff" } } } });
    expect((await notify("roll-tech", subject("X-1"))).decisions).toEqual({
      email: "queued",
      sms: "skipped:rollout",
    });
    expect((await notify("roll-staff", subject("X-1"))).decisions).toEqual({
      email: "queued",
      sms: "queued",
    });
  });

  test("by kind, none, and a percentage that is stable for each recipient", async () => {
    await person("roll-customer", "customer");
    await t.call("PUT", "/v1/settings", {
      body: { rollout: { email: { mode: "kinds", kinds: ["customer"] }, sms: { mode: "none" } } },
    });
    expect((await notify("roll-customer", subject("Y-1"))).decisions).toEqual({
      email: "queued",
      sms: "skipped:rollout",
    });
    expect((await notify("roll-tech", subject("Y-1"))).decisions).toEqual({
      email: "skipped:rollout",
      sms: "skipped:rollout",
    });

    // "roll-tech" is in bucket 69 (FNV-1a of the id, modulo 100): in at 70 %, out at 69 %.
    await t.call("PUT", "/v1/settings", { body: { rollout: { email: { mode: "percent", percent: 70 } } } });
    expect((await notify("roll-tech", subject("Y-2"))).decisions.email).toBe("queued");
    await t.call("PUT", "/v1/settings", { body: { rollout: { email: { mode: "percent", percent: 69 } } } });
    expect((await notify("roll-tech", subject("Y-3"))).decisions.email).toBe("skipped:rollout");
  });
});
