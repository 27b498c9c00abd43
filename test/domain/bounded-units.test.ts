/**
 * The units that must not hold the thread at volume (issue 9), on a small volume-seeded database: each query the
 * alert snapshot and the operator lists run reads an index range (checked with EXPLAIN QUERY PLAN on the real
 * SQLite, as the statements were executed), the lists return what the unbounded queries they replace returned
 * (walking every page), the alert snapshot counts what the old joins counted, and the reports and stats give the
 * same answer on the read Worker as in-thread.
 */
import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { seedVolume } from "../../scripts/seed-volume.ts";
import { readAlertSnapshot } from "../../src/alerts/alert-snapshot.ts";
import { listDeliveries } from "../../src/delivery/deliveries.service.ts";
import { LIST_SCAN_ROWS } from "../../src/domain/notifications/list-window.rules.ts";
import {
  listNotifications,
  type NotificationFilter,
} from "../../src/domain/notifications/notifications.queries.ts";
import { countStats } from "../../src/domain/notifications/notifications.stats.ts";
import { getStats } from "../../src/domain/notifications/stats.service.ts";
import { runReadTask } from "../../src/domain/reports/read-tasks.ts";
import { reportNames } from "../../src/domain/reports/report-catalogue.ts";
import { seriesRange } from "../../src/domain/reports/report-series.rules.ts";
import { reportWindow } from "../../src/domain/reports/report-window.rules.ts";
import { defaultWindows, runReport } from "../../src/domain/reports/reports.service.ts";
import type { ServerDeps } from "../../src/server-deps.ts";
import { makeTestApp, type TestApp } from "../helpers/test-app.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const DAY = 86_400_000;
const BIG_TABLES = ["notifications", "deliveries", "delivery_attempts"];

const t: TestApp = await makeTestApp({ now: NOW });
const deps: ServerDeps = t.deps;
// More rows than one list window, spread so the last hour, day and month all hold some.
await seedVolume(deps.db, {
  notifications: 6000,
  deliveries: 9000,
  attempts: 12000,
  recipients: 40,
  days: 40,
  now: NOW,
});
const busy =
  (
    await deps.db.read.get<{ v: string }>(
      sql`SELECT recipient_id AS v FROM notifications GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    )
  )?.v ?? "";

interface Executed {
  sql: string;
  args: unknown;
}

/** Runs `work` and returns every statement it ran on the reader, by spying on this one client instance. */
async function readsOf(work: () => Promise<unknown>): Promise<Executed[]> {
  const client = (
    deps.db.read as unknown as { $client: { execute: (stmt: unknown, args?: unknown) => Promise<unknown> } }
  ).$client;
  const original = client.execute;
  const seen: Executed[] = [];
  client.execute = function (this: unknown, stmt: unknown, args?: unknown) {
    if (typeof stmt === "string") seen.push({ sql: stmt, args: args ?? [] });
    else seen.push(stmt as Executed);
    return original.call(this, stmt, args);
  };
  try {
    await work();
  } finally {
    client.execute = original;
  }
  return seen;
}

/** The plan lines of one statement. */
async function planOf(statement: Executed): Promise<string[]> {
  const client = (
    deps.db.read as unknown as {
      $client: { execute: (stmt: unknown) => Promise<{ rows: { detail: string }[] }> };
    }
  ).$client;
  const rows = await client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
  return rows.rows.map((r) => String(r.detail));
}

/**
 * Whether a statement reads a big table without an index range: a bare `SCAN table`, or a full index scan that no
 * LIMIT stops (an ordered scan under LIMIT, as the lists' windows do, reads only that many entries).
 */
function unbounded(statement: Executed, plan: string[]): string[] {
  const limited = /\bLIMIT\b/i.test(statement.sql);
  return plan.filter((line) => {
    const m = /^SCAN (\w+)( USING .*)?$/.exec(line.trim());
    if (!m || !BIG_TABLES.includes(m[1] ?? "")) return false;
    // The claim index is partial (queued rows only): scanning it reads the queue, not the table.
    if (m[2]?.includes("deliveries_claim_idx")) return false;
    return !m[2] || !limited;
  });
}

async function expectBounded(work: () => Promise<unknown>, indexes: string[] = []) {
  const statements = (await readsOf(work)).filter((s) => BIG_TABLES.some((table) => s.sql.includes(table)));
  expect(statements.length).toBeGreaterThan(0);
  const plans: string[] = [];
  for (const statement of statements) {
    const plan = await planOf(statement);
    expect({ sql: statement.sql, unbounded: unbounded(statement, plan) }).toEqual({
      sql: statement.sql,
      unbounded: [],
    });
    plans.push(...plan);
  }
  for (const index of indexes) expect(plans.join("\n")).toContain(index);
}

describe("alert snapshot", () => {
  test("every query reads an index range of its window", async () => {
    await expectBounded(
      () => readAlertSnapshot(deps),
      ["deliveries_channel_created_idx", "delivery_attempts_created_idx", "deliveries_sms_spend_idx"],
    );
  });

  test("counts what the unbounded queries it replaced counted", async () => {
    const snapshot = await readAlertSnapshot(deps);
    const now = NOW;
    for (const channel of ["email", "sms"] as const) {
      const old = await deps.db.read.get<{
        finished: number;
        failed: number;
        latencyCount: number;
        attempts: number;
        loop: number;
      }>(sql`
        SELECT coalesce(sum(status IN ('sent', 'delivered', 'bounced', 'complained', 'failed')), 0) AS finished,
               coalesce(sum(status IN ('failed', 'bounced')), 0) AS failed,
               coalesce(sum(sent_at IS NOT NULL AND reason IS NULL AND created_at >= ${now - 15 * 60_000}), 0) AS latencyCount,
               (SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                 WHERE a.created_at >= ${now - 5 * 60_000} AND d.channel = ${channel}) AS attempts,
               coalesce(sum(status = 'skipped' AND reason = 'loop'), 0) AS loop
        FROM deliveries WHERE channel = ${channel} AND created_at >= ${now - 3_600_000}`);
      const c = snapshot.channels[channel];
      expect([c.finishedLastHour, c.failedLastHour, c.latency.count, c.attemptsLast5m]).toEqual([
        Number(old?.finished),
        Number(old?.failed),
        Number(old?.latencyCount),
        Number(old?.attempts),
      ]);
    }
    const cost = await deps.db.read.get<{ hour: number; day: number }>(sql`
      SELECT coalesce(sum(CASE WHEN created_at >= ${now - 3_600_000} AND status IN ('sent', 'delivered', 'bounced', 'complained', 'unknown') THEN cost_usd END), 0) AS hour,
             coalesce(sum(CASE WHEN status IN ('sent', 'delivered', 'bounced', 'complained', 'unknown') THEN cost_usd END), 0) AS day
      FROM deliveries WHERE channel = 'sms' AND created_at >= ${now - DAY}`);
    expect(snapshot.smsCostLastHourUsd).toBeCloseTo(Number(cost?.hour), 9);
    expect(snapshot.smsCostLastDayUsd).toBeCloseTo(Number(cost?.day), 9);
    expect(snapshot.smsCostLastDayUsd).toBeGreaterThan(0);
    expect(snapshot.channels.email.finishedLastHour + snapshot.channels.sms.finishedLastHour).toBeGreaterThan(
      0,
    );
  });
});

/** Every page of a list, following nextCursor to the end. */
async function walk<T extends { id: string }>(
  page: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const result = await page(cursor);
    ids.push(...result.items.map((i) => i.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("the list did not end");
}

describe("GET /v1/notifications filters", () => {
  const cases = (): [string, Omit<NotificationFilter, "limit" | "cursor">, ReturnType<typeof sql>][] => [
    ["no filter", {}, sql`1`],
    ["recipient", { recipientId: busy }, sql`recipient_id = ${busy}`],
    ["recipient unread", { recipientId: busy, read: false }, sql`recipient_id = ${busy} AND read_at IS NULL`],
    [
      "priority + category",
      { priority: "URGENT", category: "repair" },
      sql`priority = 'URGENT' AND category = 'repair'`,
    ],
    ["read", { read: true }, sql`read_at IS NOT NULL`],
    [
      "created range + category",
      { createdFrom: NOW - 10 * DAY, createdTo: NOW - 3 * DAY, category: "scheduling" },
      sql`created_at >= ${NOW - 10 * DAY} AND created_at <= ${NOW - 3 * DAY} AND category = 'scheduling'`,
    ],
    ["text", { q: "R-1 " }, sql`(title LIKE '%R-1 %' OR message LIKE '%R-1 %')`],
    ["nothing matches", { category: "no-such" }, sql`category = 'no-such'`],
  ];

  test("every filter combination reads an index range, never the whole table", async () => {
    for (const [, filter] of cases())
      await expectBounded(() => listNotifications(deps, { ...filter, limit: 50 }));
    await expectBounded(
      () => listNotifications(deps, { recipientId: busy, limit: 50 }),
      ["notifications_recipient_idx"],
    );
  });

  test("walking every page returns exactly what the unbounded query returned, newest first", async () => {
    for (const [name, filter, where] of cases()) {
      const expected = (
        await deps.db.read.all<{ id: string }>(
          sql`SELECT id FROM notifications WHERE erased_at IS NULL AND ${where} ORDER BY id DESC`,
        )
      ).map((r) => r.id);
      const got = await walk((cursor) => listNotifications(deps, { ...filter, cursor, limit: 50 }));
      expect({ name, got }).toEqual({ name, got: expected });
    }
  });

  test("a selective filter returns a short page with a cursor once its window is used up", async () => {
    const page = await listNotifications(deps, { category: "no-such", limit: 50 });
    expect(page.items).toEqual([]);
    expect(page.nextCursor).not.toBeNull();
    const total = Number(
      (await deps.db.read.get<{ n: number }>(sql`SELECT count(*) AS n FROM notifications`))?.n,
    );
    expect(total).toBeGreaterThan(LIST_SCAN_ROWS);
  });
});

describe("GET /v1/deliveries filters", () => {
  const cases = (): [string, Parameters<typeof listDeliveries>[1], ReturnType<typeof sql>][] => [
    ["no filter", { limit: 50 }, sql`1`],
    ["status", { status: ["failed"], limit: 50 }, sql`status = 'failed'`],
    [
      "status + channel",
      { status: ["delivered"], channel: "sms", limit: 50 },
      sql`status = 'delivered' AND channel = 'sms'`,
    ],
    ["channel", { channel: "sms", limit: 50 }, sql`channel = 'sms'`],
    [
      "recipient + status",
      { recipientId: busy, status: ["skipped"], limit: 50 },
      sql`recipient_id = ${busy} AND status = 'skipped'`,
    ],
    [
      "status + created range",
      { status: ["sent"], createdFrom: NOW - 20 * DAY, createdTo: NOW - 19 * DAY, limit: 50 },
      sql`status = 'sent' AND created_at >= ${NOW - 20 * DAY} AND created_at <= ${NOW - 19 * DAY}`,
    ],
    ["two statuses", { status: ["failed", "bounced"], limit: 50 }, sql`status IN ('failed', 'bounced')`],
  ];

  test("every filter combination reads an index range, never the whole table", async () => {
    for (const [, filter] of cases()) await expectBounded(() => listDeliveries(deps, filter));
    await expectBounded(
      () => listDeliveries(deps, { status: ["failed"], limit: 50 }),
      ["deliveries_status_id_idx"],
    );
    await expectBounded(
      () => listDeliveries(deps, { recipientId: busy, limit: 50 }),
      ["deliveries_recipient_id_idx"],
    );
  });

  test("walking every page returns exactly what the unbounded query returned, newest first", async () => {
    for (const [name, filter, where] of cases()) {
      const expected = (
        await deps.db.read.all<{ id: string }>(sql`SELECT id FROM deliveries WHERE ${where} ORDER BY id DESC`)
      ).map((r) => r.id);
      const got = await walk((cursor) => listDeliveries(deps, { ...filter, cursor }));
      expect({ name, got }).toEqual({ name, got: expected });
      if (name !== "no filter") expect(expected.length).toBeGreaterThan(0);
    }
  });
});

describe("reports and stats on the read Worker", () => {
  test("every report gives the same result on the Worker as in-thread", async () => {
    for (const name of reportNames) {
      const windowed = (defaultWindows as Record<string, string>)[name];
      const task = {
        kind: "report" as const,
        name,
        now: NOW,
        window: windowed ? reportWindow(windowed, NOW) : null,
        limit: 20,
      };
      const inThread = await runReadTask(deps, task);
      expect({ name, result: await runReport(deps, name) }).toEqual({ name, result: inThread });
    }
  });

  test("stats give the same counts on the Worker as in-thread", async () => {
    const stats = await getStats(deps);
    expect(stats).toEqual(await countStats(deps));
    expect(stats.total).toBeGreaterThanOrEqual(6000);
  });

  test("a report's validation error comes back as the same error", async () => {
    await expect(runReport(deps, "volume", { window: "400d" })).rejects.toMatchObject({
      code: "validation-failed",
    });
  });

  test("the range-bounded reports read their index range (on the Worker's thread)", async () => {
    for (const name of ["delivery-rates", "volume", "failures", "loops"] as const) {
      const windowed = (defaultWindows as Record<string, string>)[name];
      const task = {
        kind: "report" as const,
        name,
        now: NOW,
        window: windowed ? reportWindow(windowed, NOW) : null,
        limit: 20,
      };
      await expectBounded(() => runReadTask(deps, task));
    }
  });

  test("the console's series read the same index ranges, per hour and per day", async () => {
    for (const [window, bucket] of [
      ["24h", "hour"],
      ["30d", "day"],
    ] as const) {
      for (const name of ["delivery-rates", "volume"] as const) {
        const task = {
          kind: "report" as const,
          name,
          now: NOW,
          window: reportWindow(window, NOW),
          limit: 20,
          series: seriesRange(reportWindow(window, NOW), bucket),
        };
        await expectBounded(() => runReadTask(deps, task));
        expect(await runReport(deps, name, { window, series: bucket })).toEqual(
          await runReadTask(deps, task),
        );
      }
    }
  });
});
