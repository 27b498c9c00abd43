/**
 * Crash harness shared by the CI crash tests and `scripts/bench-crash.ts`: real server processes
 * (`bun src/main.ts`) sending email through the real SES adapter to a fake SES *process* that logs every call
 * it receives to a file outside the server. The harness SIGKILLs the server at random moments, restarts it on
 * the same database file, and finally compares the provider's log with the job table.
 */

import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { count } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { openDatabase } from "../../src/db/database.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";

const ROOT = join(import.meta.dir, "../..");
const BUN = process.execPath;

/** One crash scenario. */
export interface CrashScenario {
  dir: string;
  deliveries: number;
  /** SIGKILLs to deliver while work remains. */
  kills: number;
  /** How long the server runs (after it reported ready) before a kill, drawn uniformly. */
  killAfterMs: [number, number];
  /** Deliveries whose address contains "poison": the fake provider SIGKILLs the server when it sees one. */
  poison?: number;
  maxAttempts?: number;
  /** Upper bound of the fake provider's random latency. */
  providerLatencyMs?: number;
  env?: Record<string, string>;
  /** Give up waiting for every delivery to be final after this long. */
  deadlineMs: number;
  log?: (line: string) => void;
}

/** What happened, for assertions. */
export interface CrashReport {
  kills: number;
  /** Kills the fake provider delivered (poison). */
  poisonKills: number;
  restarts: number;
  byStatus: Record<string, number>;
  /** Deliveries not in a final state at the end (must be empty). */
  unfinished: string[];
  /** Provider calls per delivery id. */
  sends: Map<string, number>;
  /** Distinct leases per delivery that a kill left with the send started (each may explain one duplicate). */
  ambiguousAtKill: Map<string, number>;
  rows: {
    id: string;
    status: string;
    attempts: number;
    maxAttempts: number;
    attemptRows: number;
    destination: string;
  }[];
  /** Exit code of the final, graceful SIGTERM stop. */
  finalExitCode: number | null;
  elapsedMs: number;
}

const FINAL = new Set(["sent", "failed", "unknown", "cancelled"]);

/** A number drawn uniformly from `[min, max)` (kill times and gaps of the drills). */
export function uniform([min, max]: [number, number]): number {
  return min + Math.random() * (max - min);
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

/** Runs a scenario to the end and reports what the job table and the provider's log say. */
export async function runCrashScenario(s: CrashScenario): Promise<CrashReport> {
  const started = Date.now();
  const log = s.log ?? (() => {});
  const dbPath = join(s.dir, "herald.db");
  const sendLog = join(s.dir, "provider-calls.jsonl");
  const pidFile = join(s.dir, "server.pid");
  const portFile = join(s.dir, "fake.port");
  const serverLog = join(s.dir, "server.log");
  writeFileSync(sendLog, "");

  const setup = await openDatabase({ url: `file:${dbPath}` });
  await setup.migrate();
  const now = Date.now();
  const poison = s.poison ?? 0;
  await seedDeliveries(setup, {
    count: s.deliveries,
    channel: "email",
    now,
    maxAttempts: s.maxAttempts ?? 8,
    destination: (i) => (i < poison ? `poison-${i}@crash.test` : `d${i}@crash.test`),
  });
  // An empty or short seed would let every later assertion pass over nothing.
  const [seeded] = await setup.read.select({ n: count() }).from(deliveries);
  if (seeded?.n !== s.deliveries) throw new Error(`seeded ${seeded?.n} deliveries, expected ${s.deliveries}`);
  await setup.close();

  const fake = Bun.spawn([BUN, join(ROOT, "test/helpers/fake-aws.ts")], {
    env: {
      ...process.env,
      FAKE_AWS_LOG: sendLog,
      FAKE_AWS_PORT_FILE: portFile,
      FAKE_AWS_PID_FILE: pidFile,
      FAKE_AWS_KILL_MARKER: "poison",
      FAKE_AWS_LATENCY_MS: String(s.providerLatencyMs ?? 20),
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const fakePort = await waitFor(
    "the fake provider",
    () => (existsSync(portFile) ? readFileSync(portFile, "utf8") || undefined : undefined),
    10_000,
  );

  const reader = createClient({ url: `file:${dbPath}` });
  const serverEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: `file:${dbPath}`,
    PORT: "0",
    HERALD_SEED: "false",
    HERALD_ADMIN_KEY: "crash-test-admin-key-0123456789",
    HERALD_LOG_LEVEL: "info",
    HERALD_EMAIL_PROVIDER: "ses",
    AWS_ACCESS_KEY_ID: "AKIDFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${fakePort}`,
    HERALD_EMAIL_RATE: "200",
    // Short leases so a killed server's deliveries come back quickly; a timeout generous enough that a cold SDK
    // on a busy machine never times out (a timed-out request may still arrive: that would be a duplicate).
    HERALD_LEASE_MS: "4000",
    HERALD_PROVIDER_TIMEOUT_MS: "2000",
    HERALD_SWEEP_INTERVAL_MS: "200",
    HERALD_RETRY_BASE_MS: "100",
    HERALD_RETRY_CAP_MS: "1000",
    ...s.env,
  };

  /** Starts a server and resolves once its delivery engine has started. */
  async function startServer() {
    const proc = Bun.spawn([BUN, join(ROOT, "src/main.ts")], {
      env: serverEnv,
      stdout: "pipe",
      stderr: "inherit",
      cwd: ROOT,
    });
    writeFileSync(pidFile, String(proc.pid));
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    // Read the JSON log to know when the engine runs; keep draining it so the pipe never blocks the server.
    void (async () => {
      const decoder = new TextDecoder();
      let buffered = "";
      for await (const chunk of proc.stdout) {
        appendFileSync(serverLog, chunk);
        buffered += decoder.decode(chunk);
        if (buffered.includes('"delivery engine started"')) {
          ready();
          buffered = "";
        }
        buffered = buffered.slice(-200);
      }
    })();
    await Promise.race([isReady, proc.exited]);
    return proc;
  }

  async function unfinishedCount(): Promise<number> {
    const rs = await reader.execute(
      "SELECT count(*) AS n FROM deliveries WHERE status IN ('queued', 'leased')",
    );
    return Number(rs.rows[0]?.n ?? 0);
  }

  const ambiguousTokens = new Map<string, Set<string>>();
  async function recordAmbiguous() {
    const rs = await reader.execute(
      "SELECT id, lease_token FROM deliveries WHERE status = 'leased' AND send_started_at IS NOT NULL",
    );
    for (const row of rs.rows) {
      const id = String(row.id);
      if (!ambiguousTokens.has(id)) ambiguousTokens.set(id, new Set());
      ambiguousTokens.get(id)?.add(String(row.lease_token));
    }
  }

  let kills = 0;
  let poisonKills = 0;
  let restarts = 0;
  let finalExitCode: number | null = null;
  try {
    while (Date.now() - started < s.deadlineMs) {
      const server = await startServer();
      restarts++;
      const plannedKill = kills < s.kills ? uniform(s.killAfterMs) : Number.POSITIVE_INFINITY;
      const outcome = await Promise.race([
        server.exited.then(() => "exited" as const),
        plannedKill === Number.POSITIVE_INFINITY
          ? waitFor(
              "every delivery to finish",
              async () => ((await unfinishedCount()) === 0 ? true : undefined),
              s.deadlineMs,
            ).then(() => "done" as const)
          : Bun.sleep(plannedKill).then(() => "kill" as const),
      ]);
      if (outcome === "kill") {
        server.kill("SIGKILL");
        await server.exited;
        kills++;
        await recordAmbiguous();
        log(`kill ${kills}: ${await unfinishedCount()} unfinished`);
      } else if (outcome === "exited") {
        // The fake provider killed it (poison), or it crashed on its own: either way the send had started.
        poisonKills++;
        await recordAmbiguous();
        log(`server exited (${server.signalCode ?? server.exitCode}): ${await unfinishedCount()} unfinished`);
      } else {
        server.kill("SIGTERM");
        finalExitCode = await server.exited;
        break;
      }
      // Once the kills are spent, the next start waits for the rest and is stopped gracefully (SIGTERM), so
      // every run ends by proving a clean shutdown, even when the kills outlasted the work.
    }
  } finally {
    fake.kill("SIGTERM");
    await fake.exited;
  }

  const rowsRs = await reader.execute(`
    SELECT d.id, d.status, d.attempts, d.max_attempts, d.destination,
           (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempt_rows
    FROM deliveries d`);
  reader.close();
  const rows = rowsRs.rows.map((r) => ({
    id: String(r.id),
    status: String(r.status),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    attemptRows: Number(r.attempt_rows),
    destination: String(r.destination),
  }));
  const byDestination = new Map(rows.map((r) => [r.destination, r.id]));
  const sends = new Map<string, number>();
  for (const line of readFileSync(sendLog, "utf8").split("\n")) {
    if (!line) continue;
    const id = byDestination.get(JSON.parse(line).to as string);
    if (id) sends.set(id, (sends.get(id) ?? 0) + 1);
  }
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return {
    kills,
    poisonKills,
    restarts,
    byStatus,
    unfinished: rows.filter((r) => !FINAL.has(r.status)).map((r) => r.id),
    sends,
    ambiguousAtKill: new Map([...ambiguousTokens].map(([id, tokens]) => [id, tokens.size])),
    rows,
    finalExitCode,
    elapsedMs: Date.now() - started,
  };
}

/**
 * Deliveries sent more often than their open send windows can explain: `explained` counts, per delivery, the
 * leases whose send started but whose result was never recorded under them (here: the leases a kill left with
 * `send_started_at` set). Each may explain one extra send, nothing else may. The drill across processes on sqld
 * (crash-sqld.test.ts) judges by the same rule.
 */
export function unexplainedDuplicates(
  sends: ReadonlyMap<string, number>,
  explained: ReadonlyMap<string, number>,
): { id: string; sends: number; ambiguous: number }[] {
  const out: { id: string; sends: number; ambiguous: number }[] = [];
  for (const [id, count] of sends) {
    const ambiguous = explained.get(id) ?? 0;
    if (count - 1 > ambiguous) out.push({ id, sends: count, ambiguous });
  }
  return out;
}
