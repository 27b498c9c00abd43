/**
 * API benchmark: `bun scripts/bench-api.ts [--seconds 10] [--connections 50] [--inbox-rows 1000000]`.
 *
 * In one process and one run it measures, with wrk (Debian's `wrk`) as the load generator:
 *   1. POST /v1/notifications with a realistic seeded template (render, policy, group-committed insert of the
 *      notification + 2 deliveries + unread counter, synchronous=FULL), against
 *   2. a bare route in the same process that only validates the body with zod and inserts one row through the
 *      same group-committed writer (the floor any notification API on this stack pays);
 *   3. GET unread-count and the first inbox page with 1,000,000 stored notifications, against a bare route
 *      that runs one indexed point query on the reader.
 * Results are printed as a table and as ratios against the baselines, and written to bench/results/api.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { createApp } from "../src/app.ts";
import { createDeps } from "../src/bootstrap.ts";
import { loadConfig } from "../src/config.ts";
import { createApiKey } from "../src/domain/api-keys/api-keys.service.ts";
import { createLogger } from "../src/logger.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    "inbox-rows": { type: "string", default: "1000000" },
    recipients: { type: "string", default: "1000" },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const inboxRows = Number(args["inbox-rows"]);
const recipientCount = Number(args.recipients);

/** libSQL binds JS numbers as REAL ('r' || 1.0 = 'r1.0'); integers go into the SQL text instead. */
const int = (n: number) => sql.raw(String(Math.trunc(n)));

const dir = mkdtempSync(join(tmpdir(), "herald-bench-"));
const config = loadConfig({ DATABASE_URL: `file:${join(dir, "herald.db")}`, HERALD_LOG_LEVEL: "error" });
const deps = await createDeps(config, { logger: createLogger("error") });
const { key } = await createApiKey(deps, { name: "bench", scopes: ["admin"] });

// Recipients with verified email and phone, so HIGH notifications queue both channels (the costliest path).
await deps.db.write(async (tx) => {
  await tx.run(sql`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${int(recipientCount)})
    INSERT INTO recipients (id, kind, name, email, email_verified, phone, phone_verified, timezone, locale, created_at, updated_at)
    SELECT 'r' || i, 'technician', 'Tech ' || i, 'tech' || i || '@example.com', 1, '+1555' || printf('%07d', i), 1, 'UTC', 'en', 0, 0 FROM n`);
  await tx.run(sql`INSERT INTO inbox_counters (recipient_id, unread, version) SELECT id, 0, 0 FROM recipients`);
  await tx.run(sql`CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, recipient_id TEXT NOT NULL, body TEXT NOT NULL)`);
});

// The baseline routes live only in this script.
const BareBody = z.object({
  recipientId: z.string().min(1),
  template: z.string().min(1),
  context: z.record(z.string(), z.unknown()),
  priority: z.enum(["URGENT", "HIGH", "MEDIUM", "LOW"]).optional(),
});
const outer = new Hono();
outer.post("/bench/bare-insert", async (c) => {
  const parsed = BareBody.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: "invalid" }, 400);
  await deps.db.write((tx) =>
    tx.run(sql`INSERT INTO bench_bare (recipient_id, body) VALUES (${parsed.data.recipientId}, ${JSON.stringify(parsed.data.context)})`),
  );
  return c.json({ ok: true }, 201);
});
outer.get("/bench/bare-read/:id", async (c) => {
  const rows = await deps.db.read.run(sql`SELECT unread FROM inbox_counters WHERE recipient_id = ${c.req.param("id")}`);
  return c.json({ unread: rows.rows[0]?.[0] ?? 0 });
});
outer.route("/", createApp(deps));
const server = Bun.serve({ port: 0, fetch: outer.fetch });
const base = `http://127.0.0.1:${server.port}`;

const context = {
  repair: { id: "R-10423", title: "Replace compressor", address: "12 Main St, Springfield" },
  technician: { name: "Alex Rivera" },
  customer: { name: "Dana Whitfield" },
  approvedBy: "Sam Ortiz",
  scheduledFor: "Tuesday 9:00",
};
// Each request is about its own repair (a random subject), as portal traffic is: repeating one subject would
// trip the loop guard after 5 per recipient and measure cheap skipped channels instead of real deliveries.
const notificationBody = (recipientExpr: string) =>
  `'{"recipientId":"' .. ${recipientExpr} .. '","template":"repair-approved","priority":"HIGH","subject":{"type":"repair","id":"R-' .. math.random(1, 1000000000) .. '"},"context":${JSON.stringify(context).replaceAll("'", "\\'")}}'`;

interface WrkResult {
  name: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

const luaDir = join(dir, "lua");
mkdirSync(luaDir);

/** Runs wrk with a Lua script; the script's `done` prints JSON we parse. */
async function wrk(name: string, lua: string): Promise<WrkResult> {
  const script = join(luaDir, `${name.replace(/\W+/g, "-")}.lua`);
  writeFileSync(
    script,
    `${lua}
math.randomseed(os.time())
local non2xx = 0
response = function(status) if status < 200 or status > 299 then non2xx = non2xx + 1 end end
done = function(summary, latency, requests)
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"errors":%d,"status":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errs, summary.errors.status))
end
`,
  );
  const proc = Bun.spawn(["wrk", "-t2", `-c${connections}`, `-d${seconds}s`, "-s", script, base], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(7));
  return { name, rps: r.requests / r.seconds, p50ms: r.p50, p99ms: r.p99, non2xx: r.status, errors: r.errors };
}

const auth = `wrk.headers["Authorization"] = "Bearer ${key}"\nwrk.headers["Content-Type"] = "application/json"`;
const randomRecipient = `"r" .. math.random(1, ${recipientCount})`;

console.error(`warming up (${base}) ...`);
await wrk("warm-up", `${auth}\nwrk.method = "POST"\nrequest = function() return wrk.format(nil, "/v1/notifications", nil, ${notificationBody(randomRecipient)}) end`);

const results: WrkResult[] = [];
results.push(
  await wrk(
    "bare zod+insert (baseline)",
    `${auth}\nwrk.method = "POST"\nrequest = function() return wrk.format(nil, "/bench/bare-insert", nil, ${notificationBody(randomRecipient)}) end`,
  ),
);
results.push(
  await wrk(
    "POST /v1/notifications",
    `${auth}\nwrk.method = "POST"\nrequest = function() return wrk.format(nil, "/v1/notifications", nil, ${notificationBody(randomRecipient)}) end`,
  ),
);

// Fill the inbox table to `inboxRows` notifications spread over the recipients (one SQL statement per 100k).
const [{ n: have } = { n: 0 }] = (await deps.db.read.run(sql`SELECT count(*) AS n FROM notifications`)).rows as unknown as { n: number }[];
console.error(`generating ${inboxRows - have} more notifications ...`);
for (let done = have; done < inboxRows; done += 100_000) {
  const batch = Math.min(100_000, inboxRows - done);
  await deps.db.write((tx) =>
    tx.run(sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${int(batch)})
      INSERT INTO notifications (id, recipient_id, template, template_version, priority, category, title, message, context, created_at, read_at)
      SELECT printf('01BENCH%019d', ${int(done)} + i), 'r' || (1 + (${int(done)} + i) % ${int(recipientCount)}), 'repair-approved', 1, 'HIGH', 'repair',
             'Repair R-' || i || ' approved', 'Your repair request R-' || i || ' was approved and will be scheduled shortly.',
             '{}', ${int(Date.now())} + i, CASE WHEN i % 3 = 0 THEN ${int(Date.now())} ELSE NULL END
      FROM n`),
  );
}
await deps.db.write((tx) =>
  tx.run(sql`UPDATE inbox_counters SET unread = (SELECT count(*) FROM notifications WHERE recipient_id = inbox_counters.recipient_id AND read_at IS NULL)`),
);
await deps.db.write((tx) => tx.run(sql`ANALYZE`));

results.push(await wrk("bare indexed read (baseline)", `${auth}\nrequest = function() return wrk.format("GET", "/bench/bare-read/" .. ${randomRecipient}) end`));
results.push(
  await wrk("GET inbox unread-count", `${auth}\nrequest = function() return wrk.format("GET", "/v1/recipients/" .. ${randomRecipient} .. "/inbox/unread-count") end`),
);
results.push(
  await wrk("GET inbox first page", `${auth}\nrequest = function() return wrk.format("GET", "/v1/recipients/" .. ${randomRecipient} .. "/inbox?limit=20") end`),
);

server.stop(true);
await deps.db.close();
rmSync(dir, { recursive: true, force: true });

const [bareWrite, create, bareRead, unread, page] = results as [WrkResult, WrkResult, WrkResult, WrkResult, WrkResult];
const targets: Record<string, string> = {
  "POST /v1/notifications": ">= 5,000/s, p99 <= 25 ms",
  "GET inbox unread-count": ">= 20,000/s",
  "GET inbox first page": ">= 8,000/s",
};
console.log(`\nHerald API benchmark: wrk -t2 -c${connections} -d${seconds}s, ${inboxRows.toLocaleString()} notifications for the inbox runs, ${new Date().toISOString()}`);
console.log("| run | req/s | p50 ms | p99 ms | non-2xx | errors | ratio to baseline | target |");
console.log("|---|---:|---:|---:|---:|---:|---:|---|");
for (const r of results) {
  const baseline = r === create ? bareWrite : r === unread || r === page ? bareRead : null;
  const ratio = baseline ? `${(r.rps / baseline.rps).toFixed(2)}x` : "baseline";
  console.log(
    `| ${r.name} | ${Math.round(r.rps).toLocaleString()} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.non2xx} | ${r.errors} | ${ratio} | ${targets[r.name] ?? ""} |`,
  );
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/api.json", JSON.stringify({ at: new Date().toISOString(), connections, seconds, inboxRows, results }, null, 2));
