/**
 * Scaling out, measured: API ingest and delivery throughput with 1, 2 and 3 Herald processes on one libSQL server
 * (sqld), against one process on a local file and an `api` + `worker` pair on one local file, in one run on this
 * machine.
 *
 *   bun scripts/bench-scale.ts [--seconds 10] [--runs 2] [--connections 32] [--only sqld] [--scheme ws|http]
 *
 * Per configuration: a fresh database; the processes (`herald serve`, outbox providers, provider rates raised to
 * 1,000,000/s so the rate limit is not what is measured, SMS budget $1M, loop guard 10,000) start together; 50
 * recipients with verified email and phone; maintenance on (so nothing is sent during ingest). Ingest: wrk with
 * `--connections` in all, split evenly over the API processes, POSTs HIGH repair-approved notifications (in-app +
 * email + SMS, a fresh repair per request) for `--seconds` after a 2 s warm-up. Delivery: maintenance off, the
 * backlog drains through the outbox; the rate is the sent deliveries over the span from the first to the last
 * provider call (`sent_at`), read from the database afterwards. Needs wrk and sqld (`npm run tools:sqld`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { openDatabase } from "../src/db/database.ts";
import { answers, freePort, SQLD_BIN as SQLD, waitUntil } from "./tools.ts";
import { postLua, runWrk } from "./wrk.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    // Which configurations to run: a substring of their names (for example "sqld").
    only: { type: "string", default: "" },
    scheme: { type: "string", default: "ws" },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const CONNECTIONS = Number(values.connections);
const ROOT = join(import.meta.dir, "..");
const KEY = "hk_bench_scale_admin_key_0123456789abcdef";
const RECIPIENTS = Array.from({ length: 50 }, (_, i) => `scale-${i}`);

interface Config {
  name: string;
  database: "file" | "sqld";
  roles: ("all" | "api" | "worker")[];
}
const ALL_CONFIGS: Config[] = [
  { name: "1 process, local file", database: "file", roles: ["all"] },
  { name: "api + worker, one local file", database: "file", roles: ["api", "worker"] },
  { name: "1 process, sqld", database: "sqld", roles: ["all"] },
  { name: "2 processes, sqld", database: "sqld", roles: ["all", "all"] },
  { name: "3 processes, sqld", database: "sqld", roles: ["all", "all", "all"] },
];

// The baseline (1 process on a file) always runs, so every ratio is against the same run.
const CONFIGS = ALL_CONFIGS.filter((c, i) => i === 0 || c.name.includes(values.only));

const api = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  });

interface Result {
  ingestRps: number;
  ingestP99: number;
  non2xx: number;
  deliveries: number;
  deliveryRate: number;
}

async function measure(config: Config): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "herald-scale-"));
  const children: ReturnType<typeof Bun.spawn>[] = [];
  try {
    let url = `file:${join(dir, "herald.db")}`;
    if (config.database === "sqld") {
      const port = freePort();
      children.push(
        Bun.spawn([SQLD, "--db-path", join(dir, "sqld"), "--http-listen-addr", `127.0.0.1:${port}`], {
          stdout: "ignore",
          stderr: "ignore",
        }),
      );
      await waitUntil("sqld", () => answers(`http://127.0.0.1:${port}/health`), 10_000);
      url = `${values.scheme}://127.0.0.1:${port}`;
    }
    // Settings first, through the CLI: every process then starts with maintenance on (nothing is sent during
    // ingest) and the guards out of the way.
    const settings = Bun.spawn(
      [
        process.execPath,
        "src/cli.ts",
        "settings",
        "set",
        JSON.stringify({
          maintenance: { enabled: true, reason: "benchmark ingest" },
          smsBudget: { dailyUsd: 1_000_000, monthlyUsd: 1_000_000 },
          loopGuard: { max: 10_000 },
        }),
      ],
      { cwd: ROOT, stdout: "ignore", stderr: "inherit", env: { ...process.env, DATABASE_URL: url } },
    );
    if ((await settings.exited) !== 0) throw new Error("herald settings set failed");
    const bases = config.roles.map((role) => {
      const port = freePort();
      children.push(
        Bun.spawn([process.execPath, "src/cli.ts", "serve", "--role", role], {
          cwd: ROOT,
          stdout: "ignore",
          stderr: "inherit",
          env: {
            ...process.env,
            PORT: String(port),
            DATABASE_URL: url,
            HERALD_ADMIN_KEY: KEY,
            HERALD_LOG_LEVEL: "warn",
            HERALD_EMAIL_RATE: "1000000",
            HERALD_SMS_RATE: "1000000",
          },
        }),
      );
      return { role, base: `http://127.0.0.1:${port}` };
    });
    for (const { base } of bases) await waitUntil(base, () => answers(`${base}/health`), 30_000);
    const apis = bases.filter((b) => b.role !== "worker").map((b) => b.base);
    const first = apis[0] as string;
    for (const id of RECIPIENTS) {
      await api(first, "PUT", `/v1/recipients/${id}`, {
        kind: "customer",
        email: `${id}@example.com`,
        emailVerified: true,
        phone: `+1555${String(RECIPIENTS.indexOf(id)).padStart(7, "0")}`,
        phoneVerified: true,
      });
    }
    const lua = postLua(KEY, "/v1/notifications", RECIPIENTS);
    const perApi = Math.max(1, Math.floor(CONNECTIONS / apis.length));
    const wrkAll = (seconds: number, name: string) =>
      Promise.all(
        apis.map((base, i) =>
          runWrk({ name: `${name}-${i}`, base, lua, seconds, connections: perApi, threads: 1, dir }),
        ),
      );
    await wrkAll(2, "warm-up");
    const ingest = await wrkAll(SECONDS, "ingest");

    await api(first, "PUT", "/v1/settings", { maintenance: { enabled: false } });
    await waitUntil(
      "the backlog to drain",
      async () => {
        const stats = (await api(first, "GET", "/v1/stats")) as {
          email: { queued: number };
          sms: { queued: number };
        };
        return stats.email.queued + stats.sms.queued === 0;
      },
      300_000,
    );
    const db = await openDatabase({ url });
    const [row] = await db.read.all<{ n: number; first: number; last: number }>(
      sql`SELECT count(*) AS n, min(sent_at) AS first, max(sent_at) AS last FROM deliveries WHERE status = 'sent'`,
    );
    await db.close();
    const n = Number(row?.n ?? 0);
    const span = Math.max(1, Number(row?.last ?? 0) - Number(row?.first ?? 0)) / 1000;
    return {
      ingestRps: ingest.reduce((sum, r) => sum + r.rps, 0),
      ingestP99: Math.max(...ingest.map((r) => r.p99ms)),
      non2xx: ingest.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
      deliveries: n,
      deliveryRate: n / span,
    };
  } finally {
    for (const child of children.reverse()) child.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exited));
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map<string, Result[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const config of CONFIGS) {
    console.error(`run ${run}/${RUNS}: ${config.name}`);
    const r = await measure(config);
    console.error(
      `  ingest ${r.ingestRps.toFixed(0)} req/s (p99 ${r.ingestP99.toFixed(1)} ms, ${r.non2xx} non-2xx); delivery ${r.deliveryRate.toFixed(0)}/s over ${r.deliveries}`,
    );
    results.set(config.name, [...(results.get(config.name) ?? []), r]);
  }
}

const range = (xs: number[], digits = 0) => {
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}-${hi}`;
};
// Ratios are taken within a run (each run's configurations against that run's baseline), so a machine that is
// busier during one run does not skew them.
const base = results.get(CONFIGS[0]?.name as string) ?? [];
const ratios = (rs: Result[], pick: (r: Result) => number) =>
  rs.map((r, run) => pick(r) / pick(base[run] as Result));
console.log(
  `\n${RUNS} runs, wrk ${CONNECTIONS} connections for ${SECONDS} s per run, ${RECIPIENTS.length} recipients, HIGH (in-app + email + SMS), outbox providers at 1,000,000/s, SMS budget $1M, loop guard 10,000\n`,
);
console.log(
  "| configuration | ingest req/s | vs 1 process on a file | ingest p99 ms | delivery /s | vs 1 process on a file |",
);
console.log("|---|---|---|---|---|---|");
for (const config of CONFIGS) {
  const rs = results.get(config.name) ?? [];
  console.log(
    `| ${config.name} | ${range(rs.map((r) => r.ingestRps))} | ${range(
      ratios(rs, (r) => r.ingestRps),
      2,
    )}x | ${range(
      rs.map((r) => r.ingestP99),
      1,
    )} | ${range(rs.map((r) => r.deliveryRate))} | ${range(
      ratios(rs, (r) => r.deliveryRate),
      2,
    )}x |`,
  );
}
