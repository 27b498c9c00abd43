/**
 * Delivery engine benchmark, in one run:
 *
 * 1. Throughput: deliveries per second through the job table (claim → send started → zero-latency provider →
 *    result + attempt log), rate limits lifted, synchronous=FULL, the engine's own loop.
 * 2. The same work done by BullMQ on a local Redis (`redis-server` must be installed), as the baseline:
 *    once with Redis persistence off (BullMQ's best case) and once with `appendfsync always` (the durability
 *    Herald keeps).
 * 3. Create-to-provider latency at 1,000 notifications/s: `POST /v1/notifications` against a real server
 *    process sending through the real SES adapter to a fake SES in this process.
 * 4. Crash safety with 100 SIGKILLs (test/delivery/crash-harness.ts).
 *
 * Run: bun scripts/bench-delivery.ts [--deliveries 50000] [--rate 1000] [--seconds 5] [--kills 100]
 *      [--bullmq-concurrency 200] [--source api|direct] [--provider ses|outbox] [--only throughput|bullmq|latency|crash]
 */
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeps } from "../src/bootstrap.ts";
import { createFakeProviders } from "../src/channels/fake.provider.ts";
import { systemClock } from "../src/clock.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { runCrashScenario, unexplainedDuplicates } from "../test/delivery/crash-harness.ts";
import { seedDeliveries } from "../test/delivery/seed-deliveries.ts";
import { decodeHeader, startFakeAws } from "../test/helpers/fake-aws.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const N = option("deliveries", 50_000);
const LATENCY_RATE = option("rate", 1000);
const LATENCY_SECONDS = option("seconds", 5);
const KILLS = option("kills", 100);
/**
 * Where the latency run's deliveries come from: `api` (POST /v1/notifications) or `direct` (rows inserted into
 * the job table by this process, measuring the engine alone when the API cannot offer the rate).
 */
const LATENCY_SOURCE = args.includes("--source") ? args[args.indexOf("--source") + 1] : "api";
/** Which provider the latency run's server uses: `ses` (the real adapter to a fake SES here) or `outbox`. */
const LATENCY_PROVIDER = args.includes("--provider") ? args[args.indexOf("--provider") + 1] : "ses";
/** BullMQ worker concurrency; 200 was its best of 50/200/1000 on the development machine. */
const BULLMQ_CONCURRENCY = option("bullmq-concurrency", 200);
const ROOT = join(import.meta.dir, "..");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const runs = (part: string) => only === null || only === part;
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const results: { name: string; value: string; baseline: string; ratio: string }[] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** 1. Herald: N queued emails drained by the engine's loop to a provider that answers at once. */
async function heraldThroughput(): Promise<number> {
  const dir = tempDir("herald-bench-");
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, "herald.db")}`,
    HERALD_SEED: "false",
    HERALD_LOG_LEVEL: "warn",
    HERALD_EMAIL_RATE: "1000000",
    HERALD_WORKER_BATCH: "1000",
    HERALD_WORKER_CONCURRENCY: "4000",
  });
  const fake = createFakeProviders(systemClock, { record: false });
  const deps = await createDeps(config, { providers: fake });
  await seedDeliveries(deps.db, { count: N, channel: "email", now: Date.now() });
  const pragmas = await deps.db.pragmas();
  const started = performance.now();
  deps.delivery.start();
  while (deps.delivery.status().email.counters.sent < N) await Bun.sleep(2);
  const seconds = (performance.now() - started) / 1000;
  await deps.delivery.stop();
  const check = await deps.db.read.all<{ sent: number; attempts: number }>(
    sql`SELECT (SELECT count(*) FROM deliveries WHERE status = 'sent') AS sent, (SELECT count(*) FROM delivery_attempts) AS attempts`,
  );
  await deps.db.close();
  const rate = N / seconds;
  console.log(
    `herald: ${fmt(N)} deliveries in ${fmt(seconds, 2)} s = ${fmt(rate)}/s (sent ${check[0]?.sent}, attempt rows ${check[0]?.attempts}, synchronous=${pragmas.writer.synchronous}, journal=${pragmas.writer.journalMode})`,
  );
  return rate;
}

/** 2. BullMQ: the same N jobs added up front, then processed by a worker whose processor returns at once. */
async function bullmqThroughput(persistence: "off" | "fsync"): Promise<number> {
  const { Queue, Worker } = await import("bullmq");
  const dir = tempDir("redis-bench-");
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const redisArgs =
    persistence === "off"
      ? ["--save", "", "--appendonly", "no"]
      : ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
  const redis = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", ...redisArgs], { stdout: "ignore", stderr: "inherit" });
  try {
    const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
    // Wait for Redis to accept connections (ioredis would log every refused attempt).
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
    const queue = new Queue("deliveries", { connection });
    for (let i = 0; i < N; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({
          name: "email",
          data: { to: `d${i + j}@example.test`, subject: `Repair ${i + j} approved`, html: "<p>Approved</p>", text: "Approved" },
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
    const worker = new Worker("deliveries", async (job) => ({ messageId: `m-${job.id}` }), { connection, concurrency: BULLMQ_CONCURRENCY });
    worker.on("completed", () => {
      if (++done === N) finished();
    });
    await allDone;
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    await queue.close();
    const rate = N / seconds;
    console.log(`bullmq (redis persistence ${persistence}): ${fmt(N)} jobs in ${fmt(seconds, 2)} s = ${fmt(rate)}/s`);
    return rate;
  } finally {
    redis.kill("SIGTERM");
    await redis.exited;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** 3. POST /v1/notifications at a steady rate; latency until the (fake) SES endpoint receives the email. */
async function createToProviderLatency(): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const dir = tempDir("herald-latency-");
  const received = new Map<string, number>();
  const fakeSes = startFakeAws({
    onCall(call) {
      if (call.email) received.set(decodeHeader(call.email.headers.to ?? ""), performance.timeOrigin + performance.now());
    },
  });
  const adminKey = "bench-admin-key-0123456789abcdef";
  const dbPath = join(dir, "herald.db");
  // With the outbox provider, "received" is the outbox row's creation time (the server's clock, in ms).
  const outboxReader = LATENCY_PROVIDER === "outbox" ? createClient({ url: `file:${dbPath}` }) : null;
  async function refreshReceived() {
    if (!outboxReader) return;
    const rs = await outboxReader.execute('SELECT "to", created_at FROM outbox_messages');
    for (const row of rs.rows) received.set(String(row.to), Number(row.created_at));
  }
  const server = Bun.spawn([process.execPath, join(ROOT, "src/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `file:${dbPath}`,
      PORT: "0",
      HERALD_ADMIN_KEY: adminKey,
      HERALD_LOG_LEVEL: "info",
      HERALD_EMAIL_PROVIDER: LATENCY_PROVIDER,
      HERALD_EMAIL_RATE: String(LATENCY_RATE * 2),
      AWS_ACCESS_KEY_ID: "AKIDFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake-secret",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_SES: fakeSes.url,
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  let port = 0;
  const decoder = new TextDecoder();
  const reader = (async () => {
    for await (const chunk of server.stdout) {
      const match = /"herald listening","port":(\d+)/.exec(decoder.decode(chunk));
      if (match) port = Number(match[1]);
    }
  })();
  while (port === 0) await Bun.sleep(20);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${adminKey}`, "content-type": "application/json" };
  const total = LATENCY_RATE * LATENCY_SECONDS;
  try {
    if (LATENCY_SOURCE === "direct") return await directLatency(dbPath, total, received, refreshReceived);
    // Recipients first (not measured).
    for (let i = 0; i < total + 50; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, total + 50 - i) }, (_, j) =>
          fetch(`${base}/v1/recipients/bench-${i + j}`, {
            method: "PUT",
            headers,
            body: JSON.stringify({ kind: "customer", email: `bench-${i + j}@example.test`, emailVerified: true }),
          }).then((r) => r.arrayBuffer()),
        ),
      );
    }
    // Warm up the server and the SES client (first SDK calls load modules), then wait for a quiet queue.
    for (let i = 0; i < 50; i++) {
      await fetch(`${base}/v1/notifications`, {
        method: "POST",
        headers,
        body: JSON.stringify({ recipientId: `bench-${total + i}`, template: "test-message", context: {} }),
      }).then((r) => r.arrayBuffer());
    }
    while (received.size < 50) {
      await Bun.sleep(10);
      await refreshReceived();
    }
    received.clear();

    const sentAt = new Map<string, number>();
    const started = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / LATENCY_RATE;
      const wait = due - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      const to = `bench-${i}@example.test`;
      sentAt.set(to, performance.timeOrigin + performance.now());
      inFlight.push(
        fetch(`${base}/v1/notifications`, {
          method: "POST",
          headers,
          body: JSON.stringify({ recipientId: `bench-${i}`, template: "test-message", context: {} }),
        }).then((r) => r.arrayBuffer()),
      );
    }
    await Promise.all(inFlight);
    const achieved = total / ((performance.now() - started) / 1000);
    const deadline = Date.now() + 30_000;
    while ([...sentAt.keys()].some((to) => !received.has(to)) && Date.now() < deadline) {
      await Bun.sleep(20);
      await refreshReceived();
    }
    return summarise("POST→provider", total, sentAt, received, achieved);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
    await reader;
    await fakeSes.stop();
    outboxReader?.close();
  }
}

/** Reports latency percentiles of `sentAt` → `received`. */
function summarise(label: string, total: number, sentAt: Map<string, number>, received: Map<string, number>, achieved: number) {
  const latencies = [...sentAt]
    .flatMap(([to, at]) => (received.has(to) ? [(received.get(to) as number) - at] : []))
    .sort((a, b) => a - b);
  console.log(
    `latency (${label}, ${LATENCY_PROVIDER}): ${fmt(latencies.length)}/${fmt(total)} delivered at ${fmt(achieved)}/s offered; p50 ${fmt(percentile(latencies, 50), 1)} ms, p90 ${fmt(percentile(latencies, 90), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(latencies.at(-1) ?? 0, 1)} ms`,
  );
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0, count: latencies.length };
}

/** Inserts queued deliveries into the running server's database at the target rate, in 5 ms slices. */
async function directLatency(
  dbPath: string,
  total: number,
  received: Map<string, number>,
  refreshReceived: () => Promise<void>,
) {
  const db = await openDatabase({ url: `file:${dbPath}` });
  const sentAt = new Map<string, number>();
  const started = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * LATENCY_RATE) / 1000) + 1);
    if (due > i) {
      const first = i;
      const at = performance.timeOrigin + performance.now();
      for (let j = first; j < due; j++) sentAt.set(`lat-${j}@example.test`, at);
      await seedDeliveries(db, { count: due - first, channel: "email", now: Date.now(), recipientId: "lat", destination: (j) => `lat-${first + j}@example.test` });
      i = due;
    }
    await Bun.sleep(5);
  }
  const achieved = total / ((performance.now() - started) / 1000);
  const deadline = Date.now() + 30_000;
  while ([...sentAt.keys()].some((to) => !received.has(to)) && Date.now() < deadline) {
    await Bun.sleep(20);
    await refreshReceived();
  }
  await db.close();
  return summarise("insert→provider", total, sentAt, received, achieved);
}

/** 4. The crash scenario with many kills. */
async function crashRun() {
  const report = await runCrashScenario({
    dir: tempDir("herald-crash-"),
    deliveries: 3000,
    kills: KILLS,
    killAfterMs: [300, 800],
    providerLatencyMs: 30,
    env: { HERALD_EMAIL_RATE: "150" },
    deadlineMs: 600_000,
  });
  const duplicates = [...report.sends.values()].reduce((sum, n) => sum + n - 1, 0);
  const ambiguous = [...report.ambiguousAtKill.values()].reduce((sum, n) => sum + n, 0);
  const overMax = report.rows.filter((r) => r.attempts > r.maxAttempts).length;
  const lost = report.rows.filter((r) => r.status === "sent" && !report.sends.has(r.id)).length;
  console.log(
    `crash: ${report.kills} SIGKILLs, ${report.rows.length} deliveries → ${JSON.stringify(report.byStatus)}; unfinished ${report.unfinished.length}, lost ${lost}, duplicates ${duplicates} (sends in progress at a kill: ${ambiguous}), unexplained duplicates ${unexplainedDuplicates(report).length}, attempts over max ${overMax}, final SIGTERM exit ${report.finalExitCode}, ${fmt(report.elapsedMs / 1000, 1)} s`,
  );
  return { report, duplicates, ambiguous, overMax, lost };
}

try {
  const herald = runs("throughput") || runs("bullmq") ? await heraldThroughput() : 0;
  if (runs("throughput")) {
    results.push({ name: "job-table throughput (deliveries/s)", value: fmt(herald), baseline: "10,000/s target", ratio: `${fmt(herald / 10_000, 2)}x` });
  }
  if (runs("bullmq")) {
    const off = await bullmqThroughput("off");
    const fsync = await bullmqThroughput("fsync");
    results.push({ name: "vs BullMQ, Redis persistence off", value: fmt(herald), baseline: `${fmt(off)}/s`, ratio: `${fmt(herald / off, 2)}x` });
    results.push({ name: "vs BullMQ, Redis appendfsync always", value: fmt(herald), baseline: `${fmt(fsync)}/s`, ratio: `${fmt(herald / fsync, 2)}x` });
  }
  if (runs("latency")) {
    const latency = await createToProviderLatency();
    results.push({ name: `${LATENCY_SOURCE === "api" ? "create" : "insert"}→provider p50 at ${LATENCY_RATE}/s`, value: `${fmt(latency.p50, 1)} ms`, baseline: "20 ms target", ratio: `${fmt(latency.p50 / 20, 2)}x` });
    results.push({ name: `${LATENCY_SOURCE === "api" ? "create" : "insert"}→provider p99 at ${LATENCY_RATE}/s`, value: `${fmt(latency.p99, 1)} ms`, baseline: "100 ms target", ratio: `${fmt(latency.p99 / 100, 2)}x` });
  }
  if (runs("crash")) {
    const crash = await crashRun();
    results.push({
      name: `crash: duplicates after ${crash.report.kills} SIGKILLs`,
      value: fmt(crash.duplicates),
      baseline: `${fmt(crash.ambiguous)} sends in progress at kills`,
      ratio: `${fmt(crash.duplicates / Math.max(1, crash.ambiguous), 2)}x`,
    });
    results.push({ name: "crash: lost / unfinished / over max attempts", value: `${crash.lost} / ${crash.report.unfinished.length} / ${crash.overMax}`, baseline: "0 / 0 / 0", ratio: "-" });
  }
  console.log(`\n$ bun scripts/bench-delivery.ts ${args.join(" ")}`.trimEnd());
  console.log("| measure | Herald | baseline | ratio |\n|---|---|---|---|");
  for (const r of results) console.log(`| ${r.name} | ${r.value} | ${r.baseline} | ${r.ratio} |`);
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
