/**
 * What each unit of background and operator work costs the server's thread at volume:
 *
 *   bun scripts/bench-units.ts [--notifications 1000000] [--deliveries 1000000] [--attempts 2000000]
 *                              [--recipients 10000] [--days 100] [--db seeded.db] [--runs 3] [--only alerts,list]
 *
 * Seeds a temp-file database with `scripts/seed-volume.ts` (or copies `--db`, a file that script made, so several
 * runs share one seed), then runs each unit the way the server does, on the real deps, and measures the longest
 * synchronous step: a setImmediate ticker records the largest gap between two turns of the event loop while the
 * unit runs. The local SQLite driver is synchronous, so that gap is exactly how long a request would have waited
 * behind the unit. `total` is the unit's wall time (steps plus the turns it yielded). Each unit runs once to warm
 * the page cache, then `--runs` times; the table shows the median and the worst step and the median total. Retention and
 * digest change data, so they run once, last.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { evaluateAlerts } from "../src/alerts/alert-evaluator.ts";
import { readAlertSnapshot } from "../src/alerts/alert-snapshot.ts";
import { createApp } from "../src/app.ts";
import { createServerDeps } from "../src/bootstrap.ts";
import { FixedClock } from "../src/clock.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { channelBacklog } from "../src/delivery/backlog.repo.ts";
import { listDeliveries } from "../src/delivery/deliveries.service.ts";
import { createApiKey } from "../src/domain/api-keys/api-keys.service.ts";
import { runDigests } from "../src/domain/digest/digest.service.ts";
import { smsSpend } from "../src/domain/guards/sms-budget.service.ts";
import { listNotifications } from "../src/domain/notifications/notifications.queries.ts";
import { getStats } from "../src/domain/notifications/stats.service.ts";
import { reportNames } from "../src/domain/reports/report-catalogue.ts";
import { runReport } from "../src/domain/reports/reports.service.ts";
import { runRetention } from "../src/domain/retention/retention.service.ts";
import { createLogger } from "../src/logger.ts";
import { seedVolume } from "./seed-volume.ts";

const { values: args } = parseArgs({
  options: {
    notifications: { type: "string", default: "1000000" },
    deliveries: { type: "string", default: "1000000" },
    attempts: { type: "string", default: "2000000" },
    recipients: { type: "string", default: "10000" },
    days: { type: "string", default: "100" },
    db: { type: "string" },
    runs: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const runs = Number(args.runs);
const only = args.only?.split(",");
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), "herald-units-"));
const path = join(dir, "herald.db");
let seededAt: number;
let volume: string;
if (args.db) {
  console.error(`copying ${args.db} ...`);
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      copyFileSync(`${args.db}${suffix}`, `${path}${suffix}`);
    } catch {}
  }
  const db = await openDatabase({ url: `file:${path}` });
  const row = await db.read.get<{ now: number; n: number; d: number; a: number }>(sql`
    SELECT (SELECT max(created_at) FROM notifications) AS now, (SELECT count(*) FROM notifications) AS n,
           (SELECT count(*) FROM deliveries) AS d, (SELECT count(*) FROM delivery_attempts) AS a`);
  await db.close();
  seededAt = Number(row?.now ?? Date.now());
  volume = `${row?.n} notifications, ${row?.d} deliveries, ${row?.a} attempts (copied from ${args.db})`;
} else {
  const db = await openDatabase({ url: `file:${path}` });
  await db.migrate();
  const options = {
    notifications: Number(args.notifications),
    deliveries: Number(args.deliveries),
    attempts: Number(args.attempts),
    recipients: Number(args.recipients),
    days: Number(args.days),
  };
  console.error(`seeding ${JSON.stringify(options)} ...`);
  const seeded = await seedVolume(db, options);
  await db.close();
  console.error(`seeded in ${seeded.ms} ms`);
  seededAt = seeded.now;
  volume = `${seeded.notifications} notifications, ${seeded.deliveries} deliveries, ${seeded.attempts} attempts, ${options.recipients} recipients over ${options.days} days`;
}

const clock = new FixedClock(seededAt + 1000);
const config = loadConfig({ DATABASE_URL: `file:${path}`, HERALD_LOG_LEVEL: "error" });
const started = performance.now();
const deps = await createServerDeps(config, { clock, logger: createLogger("error") });
// As the server runs: checkpoints on their own thread, not inside a COMMIT on this one.
await deps.db.startBackgroundCheckpoints();
console.error(`opened and migrated in ${Math.round(performance.now() - started)} ms`);

/** Runs `work` and returns its wall time and the longest gap between two event-loop turns meanwhile. */
async function measure(work: () => Promise<unknown>): Promise<{ stepMs: number; totalMs: number }> {
  let last = performance.now();
  let max = 0;
  let running = true;
  const tick = () => {
    const t = performance.now();
    max = Math.max(max, t - last);
    last = t;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await work();
  const t1 = performance.now();
  running = false;
  max = Math.max(max, t1 - last);
  return { stepMs: max, totalMs: t1 - t0 };
}

interface Row {
  group: string;
  unit: string;
  stepMs: number;
  worstMs: number;
  totalMs: number;
  note: string;
}
const rows: Row[] = [];

async function unit(
  group: string,
  name: string,
  work: () => Promise<unknown>,
  { repeat = runs, note = "" } = {},
) {
  if (only && !only.includes(group)) return;
  if (repeat > 1) await work();
  const results: { stepMs: number; totalMs: number }[] = [];
  for (let i = 0; i < repeat; i++) results.push(await measure(work));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const row = {
    group,
    unit: name,
    stepMs: median(results.map((r) => r.stepMs)),
    worstMs: Math.max(...results.map((r) => r.stepMs)),
    totalMs: median(results.map((r) => r.totalMs)),
    note,
  };
  rows.push(row);
  console.error(
    `${group} ${name}: step ${row.stepMs.toFixed(1)} ms (worst ${row.worstMs.toFixed(1)}), total ${row.totalMs.toFixed(1)} ms`,
  );
}

const now = clock.now();
const pick = async (query: ReturnType<typeof sql>) => (await deps.db.read.get<{ v: string }>(query))?.v ?? "";
const busyRecipient = await pick(
  sql`SELECT recipient_id AS v FROM notifications GROUP BY recipient_id ORDER BY count(*) DESC LIMIT 1`,
);
const quietRecipient = await pick(
  sql`SELECT recipient_id AS v FROM notifications WHERE id > (SELECT id FROM notifications ORDER BY id DESC LIMIT 1 OFFSET 5000) LIMIT 1`,
);
const someNotification = await pick(
  sql`SELECT notification_id AS v FROM deliveries ORDER BY id DESC LIMIT 1 OFFSET 300000`,
);
const cursorOf = async (table: "notifications" | "deliveries", ageDays: number) =>
  Buffer.from(
    await pick(
      sql`SELECT id AS v FROM ${sql.raw(table)} WHERE created_at <= ${now - ageDays * DAY} ORDER BY created_at DESC LIMIT 1`,
    ),
  ).toString("base64url");
const deepNotifications = await cursorOf("notifications", 60);
const deepDeliveries = await cursorOf("deliveries", 60);

// The noise floor: the ticker alone (other processes on the machine show up here).
await unit("idle", "nothing running, 300 ms", () => new Promise((resolve) => setTimeout(resolve, 300)));

// Alerts: the whole evaluation (what the 30 s scheduler runs), the snapshot alone, and the shared reads it uses.
await unit("alerts", "evaluateAlerts (snapshot + state write)", () => evaluateAlerts(deps));
await unit("alerts", "readAlertSnapshot", () => readAlertSnapshot(deps));
await unit("alerts", "channelBacklog (backlog.repo)", () => channelBacklog(deps, now));
await unit("alerts", "smsSpend (guards, month of SMS)", () => smsSpend(deps, now));

// Reports, with their default windows and a 30-day one where they take a window.
for (const name of reportNames) {
  await unit("reports", name, () => runReport(deps, name));
}
for (const name of ["volume", "failures", "top-sms-recipients"]) {
  await unit("reports", `${name} --window 30d`, () => runReport(deps, name, { window: "30d" }));
}

await unit("stats", "GET /v1/stats (getStats)", () => getStats(deps));

// List filters operators use: first page, a deep cursor page, and each filter combination.
const day = (n: number) => now - n * DAY;
const notificationCases: [string, Parameters<typeof listNotifications>[1]][] = [
  ["first page", { limit: 50 }],
  ["deep cursor (60 d back)", { limit: 50, cursor: deepNotifications }],
  ["recipientId (busiest)", { limit: 50, recipientId: busyRecipient }],
  ["recipientId + read=false", { limit: 50, recipientId: busyRecipient, read: false }],
  ["recipientId (quiet) + q", { limit: 50, recipientId: quietRecipient, q: "approved" }],
  ["priority=URGENT", { limit: 50, priority: "URGENT" }],
  ["category=marketing", { limit: 50, category: "marketing" }],
  ["category=no-such", { limit: 50, category: "no-such-category" }],
  ["priority=URGENT + category=billing", { limit: 50, priority: "URGENT", category: "billing" }],
  ["read=false", { limit: 50, read: false }],
  ["created 1 h, 80 d back", { limit: 50, createdFrom: day(80), createdTo: day(80) + 3_600_000 }],
  ["created 7 d + category=billing", { limit: 50, createdFrom: day(7), createdTo: now, category: "billing" }],
  ["q=R-12345 (rare text)", { limit: 50, q: "R-12345 " }],
  ["q=no such text", { limit: 50, q: "no such text anywhere" }],
  ["q + created 1 d, 30 d back", { limit: 50, q: "denied", createdFrom: day(31), createdTo: day(30) }],
  ["limit=200, read=true", { limit: 200, read: true }],
];
for (const [name, filter] of notificationCases) {
  await unit("list", `GET /v1/notifications ${name}`, () => listNotifications(deps, filter));
}
const deliveryCases: [string, Parameters<typeof listDeliveries>[1]][] = [
  ["first page", { limit: 50 }],
  ["deep cursor (60 d back)", { limit: 50, cursor: deepDeliveries }],
  ["status=failed", { limit: 50, status: ["failed"] }],
  ["status=failed + channel=sms", { limit: 50, status: ["failed"], channel: "sms" }],
  ["status=unknown", { limit: 50, status: ["unknown"] }],
  ["status=sent + channel=email", { limit: 50, status: ["sent"], channel: "email" }],
  ["channel=sms", { limit: 50, channel: "sms" }],
  ["recipientId (busiest)", { limit: 50, recipientId: busyRecipient }],
  ["recipientId + status=failed", { limit: 50, recipientId: busyRecipient, status: ["failed"] }],
  ["notificationId", { limit: 50, notificationId: someNotification }],
  ["created 1 h, 80 d back", { limit: 50, createdFrom: day(80), createdTo: day(80) + 3_600_000 }],
  ["status=failed + created 7 d", { limit: 50, status: ["failed"], createdFrom: day(7), createdTo: now }],
  ["status=failed, deep cursor", { limit: 50, status: ["failed"], cursor: deepDeliveries }],
];
for (const [name, filter] of deliveryCases) {
  await unit("list", `GET /v1/deliveries ${name}`, () => listDeliveries(deps, filter));
}

// The admin console's pages, as an operator opens them: each request through the app (session check, queries,
// rendering), signed in with an admin key. Server time is the request's total; the step is what it cost the
// thread, i.e. how long an API request would have waited behind it.
const app = createApp(deps);
const { key: adminKey } = await createApiKey(deps, { name: "bench admin", scopes: ["admin"] });
const signIn = await app.request("/admin/login", {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ key: adminKey }).toString(),
});
const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
const someDelivery = await pick(sql`SELECT id AS v FROM deliveries ORDER BY id DESC LIMIT 1 OFFSET 300000`);
const busyEmail = await pick(sql`SELECT email AS v FROM recipients WHERE id = ${busyRecipient}`);
const isoDay = (n: number) => new Date(day(n)).toISOString().slice(0, 10);
/** The first page's "next" link, to time a second page as the operator reaches it. */
const nextPage = async (path: string) => {
  const html = await (await app.request(path, { headers: { cookie } })).text();
  return /href="([^"]*cursor=[^"]*)"/.exec(html)?.[1]?.replaceAll("&amp;", "&") ?? path;
};
const adminPages: string[] = [
  "/admin",
  "/admin/notifications",
  await nextPage("/admin/notifications"),
  "/admin/notifications?priority=URGENT",
  `/admin/notifications?recipient=${busyRecipient}`,
  "/admin/notifications?category=billing&read=unread",
  `/admin/notifications?from=${isoDay(31)}&to=${isoDay(30)}&q=denied`,
  "/admin/notifications?q=R-12345",
  `/admin/notifications/${someNotification}`,
  "/admin/deliveries",
  await nextPage("/admin/deliveries?status=failed"),
  "/admin/deliveries?status=failed&channel=sms",
  "/admin/deliveries?provider=ses",
  "/admin/deliveries?provider=outbox",
  `/admin/deliveries?contact=${encodeURIComponent(busyEmail)}`,
  `/admin/deliveries/${someDelivery}`,
  `/admin/recipients?id=${busyRecipient}`,
  `/admin/recipients?contact=${encodeURIComponent(busyEmail)}`,
  "/admin/suppressions",
  "/admin/templates",
  "/admin/alerts",
  "/admin/settings",
  ...reportNames.map((name) => `/admin/reports/${name}`),
];
for (const path of adminPages) {
  await unit("admin", `GET ${path.replace(/cursor=[^&]+/, "cursor=…")}`, async () => {
    const res = await app.request(path, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  });
}

// Data-changing units last, once each.
await unit("digest", "runDigests (a day of LOW emails due)", () => runDigests(deps, now + DAY), {
  repeat: 1,
});
await unit("retention", "runRetention (every batch)", () => runRetention(deps, now), { repeat: 1 });

await deps.db.close();
rmSync(dir, { recursive: true, force: true });

const command = `bun scripts/bench-units.ts ${process.argv.slice(2).join(" ")}`.trim();
console.log(`\nHerald units at volume: \`${command}\``);
console.log(`${volume}; ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${new Date().toISOString()}`);
console.log(
  `longest synchronous step = longest gap between two event-loop turns while the unit ran: median and worst of ${runs} runs (1 for digest and retention); total = median wall time\n`,
);
console.log("| unit | longest sync step ms | worst ms | total ms |");
console.log("|---|---:|---:|---:|");
for (const r of rows)
  console.log(
    `| ${r.group}: ${r.unit} | ${r.stepMs.toFixed(1)} | ${r.worstMs.toFixed(1)} | ${r.totalMs.toFixed(1)} |`,
  );
