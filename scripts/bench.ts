/**
 * Herald's benchmark: `bun scripts/bench.ts` (`npm run bench`). Prints one markdown table with, for every figure,
 * the baseline measured in the same run, the ratio, the target (issue 9) and the workload's conditions, and writes
 * everything (raw numbers included) to bench/results/bench-<time>.json.
 *
 *   bun scripts/bench.ts [--seconds 10] [--rows 1000000] [--connections 50] [--rate 1000] [--latency-seconds 10]
 *                        [--mixed-seconds 60] [--deliveries 50000] [--only api,reads,latency,delivery,mixed]
 *                        [--mixed-provider aws|outbox] [--quick] [--keep]
 *
 * `--quick` is a smoke run of about a minute (3 s wrk runs, 50k rows, 10 s mixed run); CI and reviewers use it.
 * The full run takes about 6 minutes, 100 s of it seeding 1M/1M/2M rows (scripts/seed-volume.ts).
 *
 * Stages (each server is its own process; load generators are their own processes):
 *  api      wrk -c50 against POST /v1/notifications (HIGH: in-app + email + SMS, a fresh repair subject per
 *           request) and against a bare zod + insert route on the same process and writer
 *           (scripts/bench-server.ts); afterwards the database is checked: deliveries queued, not skipped.
 *  reads    wrk against unread-count and the first inbox page (20) with `--rows` notifications stored, against a
 *           bare indexed point read on the same process and read connection.
 *  latency  `bun src/main.ts` sending through the real SES/SNS adapters to a zero-latency fake AWS endpoint in
 *           this process that timestamps each call; an open-loop generator (scripts/bench-load.ts) offers
 *           `--rate` creates/s; latency = provider call time - scheduled send time.
 *  delivery the job table (engine in this process, zero-latency fake provider) against BullMQ on a local
 *           redis-server doing the same work.
 *  mixed    `bun src/main.ts` on `--rows` notifications / deliveries and 2x attempts: ingest at `--rate`, inbox
 *           reads, every report in turn, alerts / digest / retention every 5 s, SES/SNS adapters to the fake at
 *           their default rates; event-loop lag from the `herald_event_loop_lag_seconds` histogram (between a
 *           scrape at rest and one at the end) and from a /health probe every 5 ms; server RSS sampled from
 *           /proc/<pid>/status (VmRSS every 100 ms, and VmHWM).
 *
 * Every server runs with the SMS budget ($1M/day and month) and the loop guard (10,000) lifted, so the workload
 * does not change half-way (the default $50/day would turn half a run into cheaper skipped SMS).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import { sql } from "drizzle-orm";
import { createServerDeps } from "../src/bootstrap.ts";
import { createFakeProviders } from "../src/channels/fake.provider.ts";
import { systemClock } from "../src/clock.ts";
import { loadConfig } from "../src/config.ts";
import { type Database, openDatabase } from "../src/db/database.ts";
import { reportNames } from "../src/domain/reports/report-catalogue.ts";
import { seedDeliveries } from "../test/delivery/seed-deliveries.ts";
import { fakeAwsSdkEnv, startFakeAws } from "../test/helpers/fake-aws.ts";
import type { LoadSpec, StreamResult } from "./bench-load.ts";
import { percentile } from "./bench-load.ts";
import { seedBenchRecipients } from "./bench-seed.ts";
import { seedVolume } from "./seed-volume.ts";
import { freePort } from "./tools.ts";
import { getLua as getLuaFor, postLua as postLuaFor, runWrk, type WrkResult } from "./wrk.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string" },
    rows: { type: "string" },
    connections: { type: "string", default: "50" },
    rate: { type: "string", default: "1000" },
    "latency-seconds": { type: "string" },
    "mixed-seconds": { type: "string" },
    deliveries: { type: "string" },
    recipients: { type: "string", default: "1000" },
    "bullmq-concurrency": { type: "string", default: "200" },
    "mixed-provider": { type: "string", default: "aws" },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const quick = args.quick;
const num = (value: string | undefined, normal: number, short: number) =>
  Number(value ?? (quick ? short : normal));
const opt = {
  seconds: num(args.seconds, 10, 3),
  rows: num(args.rows, 1_000_000, 50_000),
  connections: Number(args.connections),
  rate: Number(args.rate),
  latencySeconds: num(args["latency-seconds"], 10, 3),
  mixedSeconds: num(args["mixed-seconds"], 60, 10),
  deliveries: num(args.deliveries, 50_000, 10_000),
  recipients: Number(args.recipients),
  bullmqConcurrency: Number(args["bullmq-concurrency"]),
  /** The mixed run's providers: `aws` (SES/SNS adapters to the fake endpoint) or `outbox` (the default config). */
  mixedProvider: args["mixed-provider"] === "outbox" ? "outbox" : "aws",
};
const stages = new Set((args.only ?? "api,reads,latency,delivery,mixed").split(","));
const ROOT = join(import.meta.dir, "..");
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
const volumeDb = join(dir, "volume.db");
const volumeRecipients = Math.max(100, Math.round(opt.rows / 100));

/** Guards lifted for every server, so no request turns into a cheaper skipped one half-way. */
const LIFTED_GUARDS = {
  HERALD_SMS_DAILY_BUDGET_USD: "1000000",
  HERALD_SMS_MONTHLY_BUDGET_USD: "1000000",
  HERALD_LOOP_MAX: "10000",
};
/** Provider rate limits lifted (latency and mixed runs). */
const LIFTED_RATES = { HERALD_EMAIL_RATE: "1000000", HERALD_SMS_RATE: "1000000" };
const GUARDS_NOTE = "SMS budget $1M/day+month, loop guard 10,000";

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a";
const log = (message: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** One line of the final table. */
interface Row {
  figure: string;
  herald: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | null;
  conditions: string;
}
const rows: Row[] = [];
const raw: Record<string, unknown> = { at: new Date().toISOString(), options: opt, quick };
const verdict = (met: boolean | null) => (met === null ? "" : met ? "yes" : "**no**");

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** A server process under test. */
interface Server {
  proc: Subprocess;
  url: string;
  baselineUrl?: string;
  stop(): Promise<void>;
}

/** Starts `bun <entry>` on a free port with `env`; resolves once GET /health answers 200. */
async function startServer(
  name: string,
  entry: string,
  dbPath: string,
  env: Record<string, string>,
): Promise<Server> {
  const port = freePort();
  const logPath = join(dir, `${name}.log`);
  // HERALD_BENCH_CPU_PROF=<dir>: each server writes a CPU profile there (bun --cpu-prof) when it exits.
  const profile = process.env.HERALD_BENCH_CPU_PROF
    ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${join(process.env.HERALD_BENCH_CPU_PROF, name)}`]
    : [];
  const proc = Bun.spawn([process.execPath, ...profile, entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `file:${dbPath}`,
      PORT: String(port),
      HERALD_ADMIN_KEY: ADMIN_KEY,
      HERALD_LOG_LEVEL: "warn",
      HERALD_SEED: "true",
      ...LIFTED_GUARDS,
      ...env,
    },
    stdout: Bun.file(logPath),
    stderr: Bun.file(`${logPath}.err`),
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) {
      const stderr = tail(`${logPath}.err`);
      const first = stderr.split("\n").find((l) => /error/i.test(l)) ?? "";
      throw new Error(`${name} exited with ${proc.exitCode}: ${first.trim()}\n${stderr}`);
    }
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${tail(`${logPath}.err`)}`);
    await Bun.sleep(50);
  }
  let baselineUrl: string | undefined;
  if (entry.endsWith("bench-server.ts")) {
    for (let i = 0; i < 200 && !baselineUrl; i++) {
      const line = readFileSync(logPath, "utf8")
        .split("\n")
        .find((l) => l.includes('"bench":"listening"'));
      if (line)
        baselineUrl = `http://127.0.0.1:${(JSON.parse(line) as { baselinePort: number }).baselinePort}`;
      else await Bun.sleep(25);
    }
  }
  return {
    proc,
    url,
    baselineUrl,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "";
  }
}

/** Samples a process's resident memory (VmRSS, every 100 ms) and reads its high-water mark (VmHWM). */
function rssSampler(pid: number) {
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
      return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
    } catch {
      return { rss: Number.NaN, hwm: Number.NaN };
    }
  };
  let peak = 0;
  const timer = setInterval(() => {
    const { rss } = read();
    if (rss > peak) peak = rss;
  }, 100);
  return {
    now: () => read(),
    stop() {
      clearInterval(timer);
      const { rss, hwm } = read();
      return { peakSampledMb: Math.max(peak, Number.isNaN(rss) ? 0 : rss), hwmMb: hwm, lastMb: rss };
    },
  };
}

/** Runs scripts/bench-load.ts in its own process on `spec` and returns its per-stream results. */
async function openLoop(spec: Omit<LoadSpec, "out" | "apiKey">): Promise<StreamResult[]> {
  const out = join(dir, `load-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const specPath = `${out}.spec.json`;
  writeFileSync(specPath, JSON.stringify({ ...spec, apiKey: ADMIN_KEY, out }));
  const proc = Bun.spawn([process.execPath, join(ROOT, "scripts/bench-load.ts"), specPath], {
    stdout: "inherit",
    stderr: "inherit",
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`bench-load exited with ${code}`);
  return JSON.parse(readFileSync(out, "utf8")) as StreamResult[];
}

// ---------------------------------------------------------------------------------------------------------------
// wrk

/** Runs wrk (closed loop, `--connections` connections, 2 threads) with a Lua script against `base`. */
function wrk(name: string, base: string, lua: string, seconds = opt.seconds): Promise<WrkResult> {
  log(`wrk ${name} (${seconds} s, ${opt.connections} connections)`);
  return runWrk({ name, base, lua, seconds, connections: opt.connections, dir });
}

const postLua = (path: string, ids: string[]) => postLuaFor(ADMIN_KEY, path, ids);
const getLua = (pathExpr: string, ids: string[]) => getLuaFor(ADMIN_KEY, pathExpr, ids);

// ---------------------------------------------------------------------------------------------------------------
// Database preparation (before a server starts on the file)

async function withDb<T>(path: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: `file:${path}` });
  try {
    await db.migrate();
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Deliveries created since `since` by channel and status (with the skip reasons), to show what a run queued. */
async function deliveryCensus(path: string, since: number) {
  return withDb(path, async (db) => {
    const rows = await db.read.all<{ channel: string; status: string; reason: string | null; n: number }>(
      sql`SELECT channel, status, reason, count(*) AS n FROM deliveries WHERE created_at >= ${since} AND recipient_id LIKE 'bench-%' GROUP BY 1, 2, 3`,
    );
    const skipped = rows.filter((r) => r.status === "skipped" || r.status === "digest");
    const count = (channel: string, pred: (r: (typeof rows)[number]) => boolean) =>
      rows.filter((r) => r.channel === channel && pred(r)).reduce((n, r) => n + Number(r.n), 0);
    const live = (r: (typeof rows)[number]) => r.status !== "skipped" && r.status !== "digest";
    const summary =
      `email ${fmt(count("email", live))} queued/sent, SMS ${fmt(count("sms", live))} queued/sent, ` +
      `${fmt(skipped.reduce((n, r) => n + Number(r.n), 0))} skipped/digest` +
      (skipped.length
        ? ` (${skipped.map((r) => `${r.channel} ${r.status}${r.reason ? `:${r.reason}` : ""} ${r.n}`).join(", ")})`
        : "");
    return {
      rows,
      summary,
      skippedHigh: skipped.filter((r) => r.status === "skipped").reduce((n, r) => n + Number(r.n), 0),
    };
  });
}

async function prepareFresh(path: string) {
  await withDb(path, async (db) => {
    await seedBenchRecipients(db, opt.recipients);
    await db.write((tx) =>
      tx.run(
        sql`CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, recipient_id TEXT NOT NULL, body TEXT NOT NULL)`,
      ),
    );
  });
}

let volumeReady: Promise<{ readIds: string[]; seeder: string }> | null = null;
/** The volume database (seeded once, shared by the reads and mixed stages). */
function prepareVolume() {
  volumeReady ??= (async () => {
    const source = "scripts/seed-volume.ts";
    const started = performance.now();
    log(
      `seeding ${fmt(opt.rows)} notifications / ${fmt(opt.rows)} deliveries / ${fmt(opt.rows * 2)} attempts with ${source} ...`,
    );
    const readIds = await withDb(volumeDb, async (db) => {
      await seedVolume(db, {
        notifications: opt.rows,
        deliveries: opt.rows,
        attempts: opt.rows * 2,
        recipients: volumeRecipients,
        days: 90,
      });
      await seedBenchRecipients(db, opt.recipients);
      await db.write(async (tx) => {
        await tx.run(
          sql`CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, recipient_id TEXT NOT NULL, body TEXT NOT NULL)`,
        );
        await tx.run(sql`ANALYZE`);
      });
      // Inboxes that hold notifications, for the read runs.
      const ids = await db.read.all<{ id: string }>(
        sql`SELECT DISTINCT recipient_id AS id FROM notifications WHERE recipient_id NOT LIKE 'bench-%' LIMIT 1000`,
      );
      const counts = await db.read.all<{ n: number; d: number; a: number }>(
        sql`SELECT (SELECT count(*) FROM notifications) AS n, (SELECT count(*) FROM deliveries) AS d, (SELECT count(*) FROM delivery_attempts) AS a`,
      );
      raw.volume = { seeder: source, counts: counts[0], seconds: (performance.now() - started) / 1000 };
      return ids.map((r) => r.id);
    });
    log(`seeded in ${fmt((performance.now() - started) / 1000, 1)} s: ${JSON.stringify(raw.volume)}`);
    return { readIds, seeder: source };
  })();
  return volumeReady;
}

// ---------------------------------------------------------------------------------------------------------------
// Stages

async function apiStage() {
  const path = join(dir, "api.db");
  await prepareFresh(path);
  const server = await startServer("api-server", "scripts/bench-server.ts", path, {});
  const ids = Array.from({ length: opt.recipients }, (_, i) => `bench-${i + 1}`);
  let since = 0;
  let bare: WrkResult;
  let create: WrkResult;
  try {
    await wrk("warm-up", server.url, postLua("/v1/notifications", ids), Math.min(3, opt.seconds));
    bare = await wrk("bare zod+insert", server.baselineUrl as string, postLua("/bench/bare-insert", ids));
    since = Date.now();
    create = await wrk("POST /v1/notifications", server.url, postLua("/v1/notifications", ids));
  } finally {
    await server.stop();
  }
  const census = await deliveryCensus(path, since);
  raw.api = { bare, create, census: census.rows };
  const conditions = `wrk -t2 -c${opt.connections} ${opt.seconds} s; HIGH repair-approved to ${fmt(opt.recipients)} verified recipients, fresh repair subject per request; fresh database; ${GUARDS_NOTE}; providers: outbox at default rates; after the run: ${census.summary}; non-2xx ${create.non2xx}, errors ${create.errors}`;
  rows.push({
    figure: "POST /v1/notifications, req/s",
    herald: fmt(create.rps),
    baseline: `${fmt(bare.rps)} (bare zod + insert)`,
    ratio: `${fmt(create.rps / bare.rps, 2)}x`,
    target: "≥ 5,000/s, ≥ 0.35x",
    met: create.rps >= 5000 && create.rps / bare.rps >= 0.35 && census.skippedHigh === 0,
    conditions,
  });
  rows.push({
    figure: "POST /v1/notifications, p50 / p99 ms",
    herald: `${fmt(create.p50ms, 1)} / ${fmt(create.p99ms, 1)}`,
    baseline: `${fmt(bare.p50ms, 1)} / ${fmt(bare.p99ms, 1)}`,
    ratio: `${fmt(create.p99ms / bare.p99ms, 1)}x (p99)`,
    target: "p99 ≤ 25 ms",
    met: create.p99ms <= 25,
    conditions: "same run as above",
  });
}

async function readsStage() {
  const { readIds, seeder } = await prepareVolume();
  const server = await startServer("reads-server", "scripts/bench-server.ts", volumeDb, {});
  let bare: WrkResult;
  let unread: WrkResult;
  let page: WrkResult;
  try {
    await wrk(
      "warm-up",
      server.url,
      getLua(`"/v1/recipients/" .. pick() .. "/inbox?limit=20"`, readIds),
      Math.min(3, opt.seconds),
    );
    bare = await wrk(
      "bare indexed read",
      server.baselineUrl as string,
      getLua(`"/bench/bare-read/" .. pick()`, readIds),
    );
    unread = await wrk(
      "unread-count",
      server.url,
      getLua(`"/v1/recipients/" .. pick() .. "/inbox/unread-count"`, readIds),
    );
    page = await wrk(
      "inbox first page",
      server.url,
      getLua(`"/v1/recipients/" .. pick() .. "/inbox?limit=20"`, readIds),
    );
  } finally {
    await server.stop();
  }
  raw.reads = { bare, unread, page };
  const conditions = `wrk -t2 -c${opt.connections} ${opt.seconds} s; ${fmt(opt.rows)} notifications stored (${fmt(volumeRecipients)} inboxes, ~${fmt(opt.rows / volumeRecipients)} each; seeded by ${seeder}), random inbox of 1,000 per request`;
  for (const [figure, r, target, min] of [
    ["GET …/inbox/unread-count, req/s", unread, "≥ 20,000/s", 20_000],
    ["GET …/inbox?limit=20 (first page), req/s", page, "≥ 8,000/s", 8_000],
  ] as const) {
    rows.push({
      figure,
      herald: `${fmt(r.rps)} (p99 ${fmt(r.p99ms, 1)} ms)`,
      baseline: `${fmt(bare.rps)} (bare indexed read)`,
      ratio: `${fmt(r.rps / bare.rps, 2)}x`,
      target,
      met: r.rps >= min && r.non2xx === 0 && r.errors === 0,
      conditions: `${conditions}; non-2xx ${r.non2xx}, errors ${r.errors}`,
    });
  }
}

/** Provider calls matched to requests by the repair id `BENCH-<seq>` in the email subject and SMS text. */
function providerClock() {
  const received = new Map<number, number[]>();
  const fake = startFakeAws({
    onCall(call) {
      const at = performance.timeOrigin + performance.now();
      const text = call.email ? (call.email.headers.subject ?? "") : (call.sms?.message ?? "");
      const seq = /BENCH-(\d+)/.exec(text)?.[1];
      if (seq === undefined) return;
      const list = received.get(Number(seq));
      if (list) list.push(at);
      else received.set(Number(seq), [at]);
    },
  });
  // The fake keeps every call; a long run would hold them all.
  const trim = setInterval(() => {
    fake.calls.length = 0;
  }, 1000);
  return {
    fake,
    received,
    calls: () => [...received.values()].reduce((n, l) => n + l.length, 0),
    async stop() {
      clearInterval(trim);
      await fake.stop();
    },
  };
}

/** Latencies (ms) from each request's scheduled send to each provider call it caused. */
function createToProvider(stream: StreamResult, firstSeq: number, received: Map<number, number[]>) {
  const latencies: number[] = [];
  (stream.sendTimes ?? []).forEach((sentAt, i) => {
    for (const at of received.get(firstSeq + i) ?? []) latencies.push(at - sentAt);
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted.at(-1) as number) : Number.NaN,
  };
}

const FIRST_SEQ = 1_000_000_000;

async function latencyStage() {
  const path = join(dir, "latency.db");
  await prepareFresh(path);
  const clock = providerClock();
  const server = await startServer("latency-server", "src/main.ts", path, {
    HERALD_EMAIL_PROVIDER: "ses",
    HERALD_SMS_PROVIDER: "sns",
    ...fakeAwsSdkEnv(clock.fake.url),
    ...LIFTED_RATES,
  });
  const recipients = Array.from({ length: opt.recipients }, (_, i) => `bench-${i + 1}`);
  let since = Date.now();
  let ingest: StreamResult;
  const expected = opt.rate * opt.latencySeconds * 2;
  try {
    log("latency warm-up (2 s at 200/s)");
    await openLoop({
      base: server.url,
      seconds: 2,
      recipients,
      streams: [
        {
          name: "warm-up",
          rate: 200,
          method: "POST",
          paths: ["/v1/notifications"],
          notification: {},
          firstSeq: 1,
        },
      ],
    });
    const warmDeadline = Date.now() + 30_000;
    while (clock.calls() < 800 && Date.now() < warmDeadline) await Bun.sleep(50);
    clock.received.clear();
    since = Date.now();
    log(`create → provider: ${opt.rate}/s offered for ${opt.latencySeconds} s (open loop)`);
    [ingest] = (await openLoop({
      base: server.url,
      seconds: opt.latencySeconds,
      recipients,
      streams: [
        {
          name: "create",
          rate: opt.rate,
          method: "POST",
          paths: ["/v1/notifications"],
          notification: {},
          recordSendTimes: true,
          firstSeq: FIRST_SEQ,
        },
      ],
    })) as [StreamResult];
    const deadline = Date.now() + 30_000;
    while (clock.calls() < expected && Date.now() < deadline) await Bun.sleep(50);
  } finally {
    await server.stop();
    await clock.stop();
  }
  const latency = createToProvider(ingest, FIRST_SEQ, clock.received);
  const census = await deliveryCensus(path, since);
  raw.latency = { latency, ingest: { ...ingest, sendTimes: undefined }, census: census.rows };
  rows.push({
    figure: `create → provider call at ${fmt(opt.rate)}/s offered, p50 / p99 ms`,
    herald: `${fmt(latency.p50, 1)} / ${fmt(latency.p99, 1)} (max ${fmt(latency.max, 0)})`,
    baseline: `${fmt(ingest.p50ms, 1)} / ${fmt(ingest.p99ms, 1)} (the POST's own answer)`,
    ratio: `${fmt(latency.p99 / ingest.p99ms, 1)}x (p99)`,
    target: "p50 ≤ 20 ms, p99 ≤ 100 ms",
    met: latency.p50 <= 20 && latency.p99 <= 100 && latency.count >= expected * 0.999,
    conditions: `open loop (scripts/bench-load.ts, own process) ${opt.latencySeconds} s; HIGH → email + SMS through the real SES/SNS adapters to a zero-latency fake AWS endpoint that timestamps each call; rate limits lifted; ${GUARDS_NOTE}; ${fmt(latency.count)}/${fmt(expected)} provider calls seen; POST ${fmt(ingest.ok)} ok, ${fmt(ingest.non2xx)} non-2xx, ${fmt(ingest.errors)} errors; ${census.summary}`,
  });
}

async function heraldThroughput(): Promise<{ rate: number; note: string }> {
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, "delivery.db")}`,
    HERALD_SEED: "false",
    HERALD_LOG_LEVEL: "warn",
    HERALD_EMAIL_RATE: "1000000",
    HERALD_WORKER_BATCH: "1000",
    HERALD_WORKER_CONCURRENCY: "4000",
  });
  const deps = await createServerDeps(config, {
    providers: createFakeProviders(systemClock, { record: false }),
  });
  await seedDeliveries(deps.db, { count: opt.deliveries, channel: "email", now: Date.now() });
  const pragmas = await deps.db.pragmas();
  const started = performance.now();
  deps.delivery.start();
  while (deps.delivery.status().email.counters.sent < opt.deliveries) await Bun.sleep(2);
  const seconds = (performance.now() - started) / 1000;
  await deps.delivery.stop();
  const [check] = await deps.db.read.all<{ sent: number; attempts: number }>(
    sql`SELECT (SELECT count(*) FROM deliveries WHERE status = 'sent') AS sent, (SELECT count(*) FROM delivery_attempts) AS attempts`,
  );
  await deps.db.close();
  const note = `${fmt(check?.sent ?? 0)} sent, ${fmt(check?.attempts ?? 0)} attempt rows, synchronous=${pragmas.writer.synchronous} (NORMAL + fsync before acknowledging), journal=${pragmas.writer.journalMode}`;
  log(`job table: ${fmt(opt.deliveries)} in ${fmt(seconds, 2)} s (${note})`);
  return { rate: opt.deliveries / seconds, note };
}

async function bullmqThroughput(persistence: "off" | "fsync"): Promise<number> {
  const { Queue, Worker } = await import("bullmq");
  const redisDir = join(dir, `redis-${persistence}`);
  mkdirSync(redisDir);
  const port = freePort();
  const redisArgs =
    persistence === "off"
      ? ["--save", "", "--appendonly", "no"]
      : ["--save", "", "--appendonly", "yes", "--appendfsync", "always"];
  const redis = Bun.spawn(
    ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", redisDir, ...redisArgs],
    {
      stdout: "ignore",
      stderr: "inherit",
    },
  );
  try {
    const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
    for (let i = 0; ; i++) {
      const open = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then(
        (socket) => {
          socket.end();
          return true;
        },
        () => false,
      );
      if (open) break;
      if (i > 200) throw new Error("redis-server did not start");
      await Bun.sleep(25);
    }
    const n = opt.deliveries;
    const queue = new Queue("deliveries", { connection });
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
          name: "email",
          data: {
            to: `d${i + j}@example.test`,
            subject: `Repair ${i + j} approved`,
            html: "<p>Approved</p>",
            text: "Approved",
          },
          opts: { attempts: 8, backoff: { type: "exponential", delay: 30_000 } },
        })),
      );
    }
    let done = 0;
    let finished!: () => void;
    const allDone = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const started = performance.now();
    const worker = new Worker("deliveries", async (job) => ({ messageId: `m-${job.id}` }), {
      connection,
      concurrency: opt.bullmqConcurrency,
    });
    worker.on("completed", () => {
      if (++done === n) finished();
    });
    await allDone;
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    await queue.close();
    log(`bullmq (redis persistence ${persistence}): ${fmt(n)} in ${fmt(seconds, 2)} s`);
    return n / seconds;
  } finally {
    redis.kill("SIGTERM");
    await redis.exited;
  }
}

async function deliveryStage() {
  log(`delivery throughput: ${fmt(opt.deliveries)} deliveries`);
  const herald = await heraldThroughput();
  const off = await bullmqThroughput("off");
  const fsync = await bullmqThroughput("fsync");
  raw.delivery = { herald, bullmqOff: off, bullmqFsync: fsync };
  const conditions = `${fmt(opt.deliveries)} queued emails drained to a zero-latency provider (claim → send started → provider → result + attempt row), rate limit lifted, batch 1,000, engine in the bench process; ${herald.note}; BullMQ: same jobs added up front, worker concurrency ${opt.bullmqConcurrency}, processor returns at once`;
  rows.push({
    figure: "delivery through the job table, deliveries/s",
    herald: fmt(herald.rate),
    baseline: `${fmt(off)} (BullMQ, Redis without persistence)`,
    ratio: `${fmt(herald.rate / off, 2)}x`,
    target: "≥ 30,000/s, ≥ 2x",
    met: herald.rate >= 30_000 && herald.rate / off >= 2,
    conditions,
  });
  rows.push({
    figure: "delivery through the job table, deliveries/s",
    herald: fmt(herald.rate),
    baseline: `${fmt(fsync)} (BullMQ, Redis appendfsync always)`,
    ratio: `${fmt(herald.rate / fsync, 2)}x`,
    target: "(durability as Herald's)",
    met: null,
    conditions: "same run as above; Redis fsyncing every write, as Herald acknowledges only fsynced writes",
  });
}

/** What the `herald_event_loop_lag_seconds` histogram says about the samples taken between two scrapes. */
interface LagFromMetrics {
  samples: number;
  /** Upper bound (ms) of the bucket holding the 99th percentile sample. */
  p99AtMostMs: number;
  /** Upper bound (ms) of the highest non-empty bucket. */
  maxAtMostMs: number;
  over5ms: number;
  over25ms: number;
}

/**
 * The lag histogram's samples taken after `before` (a scrape at rest) up to `text` (a scrape at the end), from the
 * cumulative buckets. Its bounds include 5 ms and 25 ms, so both targets are checked exactly; the figures
 * themselves are bucket bounds. Null when the metric is not exported.
 */
function lagFromMetrics(text: string, before?: string): LagFromMetrics | null {
  const buckets = (t: string) =>
    new Map(
      t
        .split("\n")
        .filter((l) => l.startsWith("herald_event_loop_lag_seconds_bucket"))
        .map((l) => [/le="([^"]+)"/.exec(l)?.[1] ?? "", Number(l.trim().split(/\s+/).at(-1))] as const),
    );
  const after = buckets(text);
  if (after.size === 0) return null;
  const base = before ? buckets(before) : new Map<string, number>();
  const cumulative = [...after.entries()]
    .map(([le, n]) => ({
      le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le) * 1000,
      n: n - (base.get(le) ?? 0),
    }))
    .sort((a, b) => a.le - b.le);
  const samples = cumulative.at(-1)?.n ?? 0;
  const atMost = (ms: number) => cumulative.find((b) => b.le >= ms)?.n ?? samples;
  return {
    samples,
    p99AtMostMs: cumulative.find((b) => b.n >= samples * 0.99)?.le ?? Number.NaN,
    maxAtMostMs: cumulative.find((b) => b.n >= samples)?.le ?? Number.NaN,
    over5ms: samples - atMost(5),
    over25ms: samples - atMost(25),
  };
}

const lagText = (l: LagFromMetrics) =>
  `p99 ≤ ${fmt(l.p99AtMostMs, 1)} / max ≤ ${fmt(l.maxAtMostMs, 1)} (${fmt(l.samples)} samples: ${fmt(l.over5ms)} > 5 ms, ${fmt(l.over25ms)} > 25 ms)`;

async function mixedStage() {
  const { readIds, seeder } = await prepareVolume();
  // Let digest and retention claim their windows during this run (the reads stage's server may have run them).
  await withDb(volumeDb, (db) => db.write((tx) => tx.run(sql`DELETE FROM scheduler_runs`)));
  const clock = providerClock();
  const server = await startServer("mixed-server", "src/main.ts", volumeDb, {
    ...(opt.mixedProvider === "aws"
      ? { HERALD_EMAIL_PROVIDER: "ses", HERALD_SMS_PROVIDER: "sns", ...fakeAwsSdkEnv(clock.fake.url) }
      : { HERALD_EMAIL_PROVIDER: "outbox", HERALD_SMS_PROVIDER: "outbox" }),
    // Provider rates stay at their defaults (14 email/s, 10 SMS/s): this run is about the thread's budget under
    // ingest, reads, reports and schedulers; sending at the engine's speed is the delivery rows' workload.
    HERALD_ALERT_INTERVAL_MS: "5000",
    HERALD_DIGEST_INTERVAL_MS: "5000",
    HERALD_RETENTION_CHECK_MS: "5000",
    HERALD_RETENTION_PERIOD: "day",
  });
  const memory = rssSampler(server.proc.pid);
  const recipients = Array.from({ length: opt.recipients }, (_, i) => `bench-${i + 1}`);
  const metrics = () => fetch(`${server.url}/metrics`).then((r) => r.text());
  const since = Date.now();
  let idle: StreamResult;
  let results: StreamResult[];
  let idleMetrics: string;
  let endMetrics: string;
  let idleRss: { rss: number; hwm: number };
  let mem: ReturnType<ReturnType<typeof rssSampler>["stop"]>;
  try {
    log("mixed: idle probe (3 s)");
    [idle] = (await openLoop({
      base: server.url,
      seconds: 3,
      recipients,
      streams: [{ name: "health probe", rate: 200, method: "GET", paths: ["/health"], anonymous: true }],
    })) as [StreamResult];
    idleMetrics = await metrics();
    idleRss = memory.now();
    log(`mixed: ${opt.mixedSeconds} s (ingest ${opt.rate}/s, reads, reports, schedulers)`);
    results = await openLoop({
      base: server.url,
      seconds: opt.mixedSeconds,
      recipients,
      streams: [
        {
          name: "ingest",
          rate: opt.rate,
          method: "POST",
          paths: ["/v1/notifications"],
          notification: { lowEvery: 10 },
          firstSeq: FIRST_SEQ,
        },
        {
          name: "inbox page",
          rate: 100,
          method: "GET",
          paths: ["/v1/recipients/{recipient}/inbox?limit=20"],
          recipients: readIds,
        },
        {
          name: "unread-count",
          rate: 200,
          method: "GET",
          paths: ["/v1/recipients/{recipient}/inbox/unread-count"],
          recipients: readIds,
        },
        { name: "reports", rate: 1, method: "GET", paths: reportNames.map((name) => `/v1/reports/${name}`) },
        { name: "health probe", rate: 200, method: "GET", paths: ["/health"], anonymous: true },
      ],
    });
    endMetrics = await metrics();
  } finally {
    await clock.stop();
    mem = memory.stop();
    await server.stop();
  }
  const census = await deliveryCensus(volumeDb, since);
  const byName = (name: string) => results.find((r) => r.name === name) as StreamResult;
  const probe = byName("health probe");
  const ingest = byName("ingest");
  const lag = lagFromMetrics(endMetrics, idleMetrics);
  const idleLag = lagFromMetrics(idleMetrics);
  raw.mixed = {
    idleProbe: idle,
    results,
    lag,
    idleLag,
    memory: mem,
    idleRss,
    census: census.rows,
    idleMetrics: idleMetrics.split("\n").filter((l) => l.includes("lag")),
    endMetrics: endMetrics.split("\n").filter((l) => l.includes("lag")),
  };
  const conditions = `${opt.mixedSeconds} s on ${fmt(opt.rows)} notifications / ${fmt(opt.rows)} deliveries / ${fmt(opt.rows * 2)} attempts (${seeder}); open loop: ingest ${fmt(opt.rate)}/s (HIGH, every 10th LOW), inbox page 100/s + unread-count 200/s on the seeded inboxes, one report per second (all ${reportNames.length} in turn), /health every 5 ms; alerts, digest and retention every 5 s (retention and digest windows reset before the run); ${opt.mixedProvider === "aws" ? "SES/SNS adapters to a zero-latency fake" : "outbox providers"} at the default rates (14 email/s, 10 SMS/s: the queue grows); ${GUARDS_NOTE}`;
  rows.push({
    figure: "mixed run: event-loop lag p99 / max ms (herald_event_loop_lag_seconds)",
    herald: lag ? lagText(lag) : "n/a (metric not exported)",
    baseline: idleLag ? `${lagText(idleLag)} (from start to rest)` : "n/a",
    ratio: "",
    target: "p99 ≤ 5 ms, max ≤ 25 ms",
    met: lag ? lag.p99AtMostMs <= 5 && lag.over25ms === 0 : null,
    conditions: `${conditions}; lag = histogram samples (a timer every 20 ms) between a scrape at rest and one at the end, figures are bucket bounds`,
  });
  rows.push({
    figure: "mixed run: GET /health probe every 5 ms, p99 / max ms",
    herald: `${fmt(probe.p99ms, 1)} / ${fmt(probe.maxMs, 1)}`,
    baseline: `${fmt(idle.p99ms, 1)} / ${fmt(idle.maxMs, 1)} (idle, same server)`,
    ratio: `${fmt(probe.p99ms / idle.p99ms, 1)}x (p99)`,
    target: "(lag seen by a client)",
    met: null,
    conditions: `same run; latency from the scheduled send, includes HTTP and the generator's own delay (max ${fmt(probe.maxSendDelayMs, 1)} ms behind schedule)`,
  });
  rows.push({
    figure: "mixed run: server peak RSS, MB",
    herald: `${fmt(Math.max(mem.hwmMb, mem.peakSampledMb), 0)}`,
    baseline: `${fmt(idleRss.rss, 0)} (idle, same server)`,
    ratio: `${fmt(Math.max(mem.hwmMb, mem.peakSampledMb) / idleRss.rss, 2)}x`,
    target: "≤ 150 MB",
    met: Math.max(mem.hwmMb, mem.peakSampledMb) <= 150,
    conditions: `VmHWM ${fmt(mem.hwmMb, 1)} MB, highest VmRSS sample (100 ms) ${fmt(mem.peakSampledMb, 1)} MB, at the end ${fmt(mem.lastMb, 1)} MB`,
  });
  const streams = results
    .filter((r) => r.name !== "health probe")
    .map(
      (r) =>
        `${r.name} ${fmt(r.ok)}/${fmt(r.offered)} ok, p99 ${fmt(r.p99ms, 1)} ms, max ${fmt(r.maxMs, 0)} ms`,
    )
    .join("; ");
  rows.push({
    figure: "mixed run: requests answered",
    herald: `${fmt(ingest.ok / opt.mixedSeconds)}/s creates, p99 ${fmt(ingest.p99ms, 1)} ms`,
    baseline: `${fmt(opt.rate)}/s offered`,
    ratio: `${fmt(ingest.ok / ingest.offered, 2)}x`,
    target: "(all answered)",
    met: null,
    conditions: `${streams}; ${census.summary}; provider calls seen ${fmt(clock.calls())}`,
  });
}

// ---------------------------------------------------------------------------------------------------------------

const started = performance.now();
try {
  for (const [name, stage] of [
    ["api", apiStage],
    ["reads", readsStage],
    ["latency", latencyStage],
    ["delivery", deliveryStage],
    ["mixed", mixedStage],
  ] as const) {
    if (!stages.has(name)) continue;
    try {
      await stage();
    } catch (error) {
      log(`stage ${name} failed: ${(error as Error).stack ?? error}`);
      rows.push({
        figure: `${name}: failed`,
        herald: "",
        baseline: "",
        ratio: "",
        target: "",
        met: false,
        conditions: String((error as Error).message).split("\n")[0] ?? "",
      });
    }
  }
} finally {
  if (args.keep) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

const command = `bun scripts/bench.ts ${process.argv.slice(2).join(" ")}`.trim();
const header = `Herald benchmark (\`${command}\`), ${new Date().toISOString().slice(0, 16)}Z, ${navigator.hardwareConcurrency} CPUs, Bun ${Bun.version}, ${fmt((performance.now() - started) / 1000, 0)} s`;
const table = [
  header,
  "",
  "| figure | Herald | baseline (same run) | ratio | target | met | conditions |",
  "|---|---:|---:|---:|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.figure} | ${r.herald} | ${r.baseline} | ${r.ratio} | ${r.target} | ${verdict(r.met)} | ${r.conditions} |`,
  ),
].join("\n");
console.log(`\n${table}`);
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
const out = join(ROOT, `bench/results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify({ ...raw, command, rows, table }, null, 2));
console.log(`\n(raw results: ${out.slice(ROOT.length + 1)})`);
