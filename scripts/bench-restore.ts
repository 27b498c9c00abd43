/**
 * Disaster-recovery benchmark: `bun scripts/bench-restore.ts [--size-mb 1024] [--write-seconds 5] [--keep]`.
 *
 * 1. Generates a Herald database of about --size-mb (notifications with their email and SMS deliveries and
 *    attempt rows, at realistic sizes: rendered HTML email, text, SMS, JSON context) with batched inserts.
 * 2. Starts the production supervisor (Litestream + Herald) on it with a file replica and waits for the first
 *    snapshot of the whole file.
 * 3. Writes notifications through the API for --write-seconds, then SIGKILLs the whole process group:
 *    RPO = age of the oldest acknowledged notification missing after the restore.
 * 4. Deletes the database, -wal and -shm, starts the supervisor again and measures
 *    RTO = start until GET /health/ready answers 200 (restore from the replica included).
 * Targets: RPO <= 1 s, RTO <= 60 s. Prints a table and writes bench/results/restore.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { listFromReplica } from "../src/backup/litestream.ts";
import { replicationTarget } from "../src/backup/replication.config.ts";
import { openDatabase } from "../src/db/database.ts";

const { values: args } = parseArgs({
  options: {
    "size-mb": { type: "string", default: "1024" },
    "write-seconds": { type: "string", default: "5" },
    keep: { type: "boolean", default: false },
  },
});
const targetBytes = Number(args["size-mb"]) * 1024 * 1024;
const writeMs = Number(args["write-seconds"]) * 1000;
const ROOT = join(import.meta.dir, "..");
const ADMIN_KEY = "hk_bench_restore_admin_key_0123";
const RECIPIENTS = 5000;

const dir = mkdtempSync(join(tmpdir(), "herald-bench-restore-"));
const database = join(dir, "data/herald.db");
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  DATABASE_URL: `file:${database}`,
  LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}`,
  HERALD_ADMIN_KEY: ADMIN_KEY,
  HERALD_LOG_LEVEL: "warn",
};
const target = replicationTarget(env.DATABASE_URL, env, ROOT);
const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const dirSize = (path: string): number =>
  readdirSync(path, { withFileTypes: true }).reduce(
    (sum, e) => sum + (e.isDirectory() ? dirSize(join(path, e.name)) : statSync(join(path, e.name)).size),
    0,
  );

// 1. Generate. One statement per table per batch; random tokens keep the data from compressing unrealistically.
log(`generating a ~${args["size-mb"]} MB database in ${dir}`);
const generationStarted = performance.now();
// libSQL binds JS numbers as REAL ('r' || 2.0 = 'r2.0'): integers go into the SQL text instead.
const int = (n: number) => sql.raw(String(Math.trunc(n)));
const db = await openDatabase({ url: `file:${database}` });
await db.migrate();
const now = Date.now();
await db.write(async (tx) => {
  await tx.run(sql`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${int(RECIPIENTS)})
    INSERT INTO recipients (id, kind, name, email, email_verified, phone, phone_verified, timezone, locale, created_at, updated_at)
    SELECT 'r' || i, 'technician', 'Technician ' || i, 'tech' || i || '@example.com', 1, '+1555' || printf('%07d', i), 1,
           'America/Chicago', 'en', ${int(now)}, ${int(now)} FROM n`);
  await tx.run(
    sql`INSERT INTO inbox_counters (recipient_id, unread, version) SELECT id, 0, 0 FROM recipients`,
  );
});
const BATCH = 10_000;
let generated = 0;
/** Bytes the database holds (pages in the file and the WAL not yet checkpointed into it). */
async function databaseBytes(): Promise<number> {
  const [pages] = (
    await db.read.run(sql`SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()`)
  ).rows;
  return Number((pages as unknown as { n: number }).n);
}
while ((await databaseBytes()) < targetBytes) {
  const from = generated;
  await db.write(async (tx) => {
    await tx.run(sql`
      WITH RECURSIVE n(i) AS (SELECT ${int(from + 1)} UNION ALL SELECT i + 1 FROM n WHERE i < ${int(from + BATCH)})
      INSERT INTO notifications (id, recipient_id, template, template_version, priority, category, title, message, action_url,
                                 subject_type, subject_id, context, created_at, read_at, email_sent, sms_sent)
      SELECT printf('01BENCH%019d', i), 'r' || (1 + i % ${int(RECIPIENTS)}), 'repair-approved', 1, 'HIGH', 'repair',
             'Repair R-' || i || ' approved',
             'Good news: your repair request "' || hex(randomblob(6)) || '" has been approved. We will let you know when a technician is assigned.',
             'https://portal.example.com/repairs/R-' || i, 'repair', 'R-' || i,
             json_object('repair', json_object('id', 'R-' || i, 'title', 'Replace compressor ' || hex(randomblob(4)),
                           'address', (i % 997) || ' Main St, Springfield'),
                         'technician', json_object('name', 'Alex ' || hex(randomblob(3))), 'customer', json_object('name', 'Dana ' || hex(randomblob(3))),
                         'approvedBy', 'Sam Ortiz', 'scheduledFor', 'Tuesday 9:00', 'notes', hex(randomblob(40))),
             ${int(now - 30 * 86_400_000)} + i * 10000, CASE WHEN i % 3 = 0 THEN ${int(now)} ELSE NULL END, 1, 1
      FROM n`);
    await tx.run(sql`
      INSERT INTO deliveries (id, notification_id, recipient_id, channel, status, priority_rank, run_at, attempts, destination,
                              payload, provider_message_id, created_at, updated_at, sent_at)
      SELECT n.id || c.ch, n.id, n.recipient_id, c.channel, 'delivered', 1, n.created_at, 1,
             CASE c.channel WHEN 'email' THEN 'tech' || substr(n.recipient_id, 2) || '@example.com' ELSE '+15550000000' END,
             CASE c.channel
               WHEN 'email' THEN json_object('kind', 'email', 'subject', n.title,
                 'html', '<!doctype html><html><body style="font-family:Arial,sans-serif;background:#f4f4f5"><table width="100%"><tr><td>'
                   || '<h1 style="color:#111827">' || n.title || '</h1><p>' || n.message || '</p><p>Reference '
                   || hex(randomblob(24)) || '</p><p>' || n.message || '</p><pre>' || hex(randomblob(160)) || '</pre>'
                   || '<a href="' || n.action_url || '">View the repair</a><p style="color:#6b7280;font-size:12px">You receive this email because '
                   || 'you are a technician on the Springfield repair portal. Manage notifications: https://portal.example.com/me/'
                   || hex(randomblob(16)) || '</p></td></tr></table></body></html>',
                 'text', n.title || char(10) || n.message || char(10) || n.action_url)
               ELSE json_object('kind', 'sms', 'text', n.title || ': ' || substr(n.message, 1, 100), 'encoding', 'GSM-7', 'segments', 1)
             END,
             hex(randomblob(16)), n.created_at, n.created_at, n.created_at
      FROM notifications n, (SELECT 'email' AS channel, 'E' AS ch UNION ALL SELECT 'sms', 'S') c
      WHERE n.id > printf('01BENCH%019d', ${int(from)}) AND n.id <= printf('01BENCH%019d', ${int(from + BATCH)})`);
    await tx.run(sql`
      INSERT INTO delivery_attempts (id, delivery_id, attempt, provider, provider_message_id, status, duration_ms, cost_usd, created_at)
      SELECT d.id || 'A', d.id, 1, CASE d.channel WHEN 'email' THEN 'ses' ELSE 'sns' END, d.provider_message_id, 'sent',
             40 + abs(random() % 200), CASE d.channel WHEN 'email' THEN 0.0001 ELSE 0.00645 END, d.created_at
      FROM deliveries d
      WHERE d.notification_id > printf('01BENCH%019d', ${int(from)}) AND d.notification_id <= printf('01BENCH%019d', ${int(from + BATCH)})`);
  });
  generated += BATCH;
  if (generated % 50_000 === 0)
    log(`  ${generated} notifications, ${(sizeOf(database) / 1e6).toFixed(0)} MB`);
}
await db.close();
const generationS = (performance.now() - generationStarted) / 1000;
log(`generated ${generated} notifications (${generated * 2} deliveries) in ${generationS.toFixed(1)} s`);

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}
function startSupervisor(): Running {
  const child = spawn(process.execPath, ["scripts/supervise.ts"], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (c) => {
    text += c;
  });
  child.stderr?.on("data", (c) => {
    text += c;
  });
  return {
    child,
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    output: () => text,
  };
}
async function waitReady(running: Running, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  while (performance.now() < deadline) {
    if ((await fetch(`${base}/health/ready`).catch(() => null))?.status === 200) return;
    if (exited) throw new Error(`the supervisor exited:\n${running.output()}`);
    await Bun.sleep(25);
  }
  throw new Error(`not ready after ${timeoutMs} ms:\n${running.output()}`);
}

// 2. Replicate: the first start snapshots the whole file.
const snapshotStarted = performance.now();
let running = startSupervisor();
await waitReady(running, 120_000);
while ((await listFromReplica("snapshots", database, target.env).catch(() => [])).length === 0)
  await Bun.sleep(100);
const snapshotS = (performance.now() - snapshotStarted) / 1000;
const replicaBytes = dirSize(join(dir, "replica"));
log(
  `first snapshot in the replica after ${snapshotS.toFixed(1)} s (replica ${(replicaBytes / 1e6).toFixed(0)} MB)`,
);

// 3. Write through the API, then crash.
const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
const acks: { id: string; at: number }[] = [];
let writing = true;
const writers = Array.from({ length: 8 }, async (_, w) => {
  for (let i = 0; writing; i++) {
    const res = await fetch(`${base}/v1/notifications`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        recipientId: `r${1 + ((w * 1000 + i) % RECIPIENTS)}`,
        template: "repair-approved",
        priority: "URGENT",
        context: {
          repair: { id: `R-${w}-${i}`, title: "Replace compressor", address: "12 Main St" },
          technician: { name: "Alex Rivera" },
          customer: { name: "Dana Whitfield" },
          approvedBy: "Sam Ortiz",
          scheduledFor: "Tuesday 9:00",
        },
      }),
    }).catch(() => null);
    if (!res) return;
    if (res.status !== 201) throw new Error(`POST /v1/notifications: ${res.status} ${await res.text()}`);
    acks.push({
      id: ((await res.json()) as { notification: { id: string } }).notification.id,
      at: Date.now(),
    });
  }
});
log(`writing through the API for ${writeMs} ms, then SIGKILL`);
await Bun.sleep(writeMs);
const crashAt = Date.now();
process.kill(-(running.child.pid as number), "SIGKILL");
writing = false;
await Promise.all(writers);
await running.exited;

// 4. Lose the disk, restart, time it.
const walAtCrash = sizeOf(`${database}-wal`);
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${database}${suffix}`, { force: true });
const restartStarted = performance.now();
running = startSupervisor();
await waitReady(running, 300_000);
const rtoS = (performance.now() - restartStarted) / 1000;
const restoreMs = Number(
  /database restored from the replica","ms":(\d+)/.exec(running.output())?.[1] ?? Number.NaN,
);
log(`ready ${rtoS.toFixed(1)} s after the restart (restore ${restoreMs} ms)`);

const present = new Set<string>();
for (let i = 0; i < acks.length; i += 32) {
  await Promise.all(
    acks.slice(i, i + 32).map(async (ack) => {
      if ((await fetch(`${base}/v1/notifications/${ack.id}`, { headers })).status === 200)
        present.add(ack.id);
    }),
  );
}
const lost = acks.filter((ack) => !present.has(ack.id));
const rpoMs = lost.length === 0 ? 0 : crashAt - Math.min(...lost.map((ack) => ack.at));
const restoredBytes = sizeOf(database);

process.kill(running.child.pid as number, "SIGTERM");
const stopCode = await running.exited;
if (!args.keep) rmSync(dir, { recursive: true, force: true });

const result = {
  at: new Date().toISOString(),
  litestream: "v0.3.13, file replica on the same disk",
  databaseBytes: restoredBytes,
  notifications: generated + present.size,
  generationSeconds: generationS,
  firstSnapshotSeconds: snapshotS,
  replicaBytes,
  writesAcknowledged: acks.length,
  writesLost: lost.length,
  walBytesAtCrash: walAtCrash,
  rpoMs,
  restoreMs,
  rtoSeconds: rtoS,
  supervisorExitAfterSigterm: stopCode,
};
console.log(
  `\nHerald restore benchmark (${result.at}), ${(restoredBytes / 2 ** 30).toFixed(2)} GiB database, ${result.litestream}`,
);
console.log("| measure | value | target |");
console.log("|---|---:|---|");
console.log(
  `| database size | ${(restoredBytes / 1e6).toFixed(0)} MB (${result.notifications.toLocaleString()} notifications, 2 deliveries each) | ~1 GB |`,
);
console.log(`| generation (batched inserts) | ${generationS.toFixed(1)} s | |`);
console.log(
  `| first snapshot to the replica | ${snapshotS.toFixed(1)} s (replica ${(replicaBytes / 1e6).toFixed(0)} MB, lz4) | |`,
);
console.log(`| writes acknowledged during the ${writeMs / 1000} s before SIGKILL | ${acks.length} | |`);
console.log(`| RPO: oldest acknowledged write lost | ${rpoMs} ms (${lost.length} lost) | <= 1000 ms |`);
console.log(`| restore (litestream restore) | ${(restoreMs / 1000).toFixed(1)} s | |`);
console.log(`| RTO: start to /health/ready, restore included | ${rtoS.toFixed(1)} s | <= 60 s |`);
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/restore.json"), JSON.stringify(result, null, 2));
process.exit(rpoMs <= 1000 && rtoS <= 60 && stopCode === 0 ? 0 : 1);
