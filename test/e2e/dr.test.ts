import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { freePort, type GroupProcess, pollUntil, ROOT, startGroup, waitReady } from "../helpers/processes.ts";
import { MOTO_SERVER, requireTool } from "../helpers/requires-tool.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/**
 * Disaster recovery with real processes: the supervisor, the real Litestream binary and Herald (its delivery
 * engine sending through a local fake SES/SNS that logs every message it receives), replicating to a file
 * replica and to an S3 replica on moto's S3 server (moto 5.2; `.ci/run` refuses to run without it). Notifications
 * are created until the whole process group is SIGKILLed; the database files are then deleted and the next start
 * must restore them:
 *  - every notification acknowledged more than RPO_TARGET_MS before the crash is back, with its deliveries;
 *  - the deliveries resume: none stays queued or leased, and none recorded as sent before the crash is sent
 *    again (a second send only for a send whose record was younger than the replication window).
 * The RTO (start to /health/ready, restore included) and the measured RPO are printed.
 */
const RPO_TARGET_MS = 1000;
/** Longer than Litestream's sync interval (500 ms) plus its monitor interval, so writes of every age exist. */
const WRITE_FOR_MS = 2500;
const WRITERS = 6;
const ADMIN_KEY = "hk_dr_test_admin_key_0123456789";

interface Ack {
  id: string;
  deliveryIds: string[];
  /** When the 201 arrived: the write was committed and fsynced by then. */
  at: number;
}

const context = {
  repair: { id: "R-10423", title: "Replace compressor", address: "12 Main St, Springfield" },
  technician: { name: "Alex Rivera" },
  customer: { name: "Dana Whitfield" },
  approvedBy: "Sam Ortiz",
  scheduledFor: "Tuesday 9:00",
};

/** Where the drill replicates to: a file replica, or S3 on a loopback S3-compatible server. */
interface Replica {
  name: string;
  env: (dir: string) => Record<string, string>;
}

/** moto's S3 server (moto 5.2, in this machine's image; `.ci/run` refuses to run without it). */
const moto = requireTool(MOTO_SERVER);

async function drill(replica: Replica) {
  const dir = tempDir("herald-dr-");
  const database = join(dir, "data/herald.db");
  const sendLog = join(dir, "provider-calls.jsonl");
  writeFileSync(sendLog, "");
  const fakeAws = startGroup([process.execPath, join(ROOT, "test/helpers/fake-aws.ts")], {
    PATH: process.env.PATH,
    FAKE_AWS_LOG: sendLog,
    FAKE_AWS_PORT_FILE: join(dir, "fake-aws.port"),
  });
  const fakePort = await pollUntil(
    "the fake SES/SNS",
    async () => readFileSync(join(dir, "fake-aws.port"), "utf8") || undefined,
    { timeoutMs: 10_000, process: fakeAws },
  );
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    DATABASE_URL: `file:${database}`,
    HERALD_ADMIN_KEY: ADMIN_KEY,
    ...replica.env(dir),
    HERALD_LOG_LEVEL: "info", // the test reads Herald's "shutting down" line
    HERALD_EMAIL_PROVIDER: "ses",
    HERALD_SMS_PROVIDER: "sns",
    AWS_ACCESS_KEY_ID: "AKIDFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${fakePort}`,
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${fakePort}`,
    HERALD_EMAIL_RATE: "1000",
    HERALD_SMS_RATE: "1000",
    // Short leases so the deliveries a crash left leased come back within the test.
    HERALD_LEASE_MS: "4000",
    HERALD_PROVIDER_TIMEOUT_MS: "2000",
    HERALD_SWEEP_INTERVAL_MS: "200",
  };
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
  const start = () => startGroup([process.execPath, "scripts/supervise.ts"], env);
  let running: GroupProcess | null = start();
  let reader: ReturnType<typeof createClient> | null = null;
  try {
    await waitReady(base, running);

    // Each notification goes to its own recipient (own email address and phone number), so every message the
    // fake provider logs maps to exactly one delivery. URGENT: email and SMS are both queued at once.
    const acks: Ack[] = [];
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; writing; i++) {
        try {
          const recipient = `dr-${w}-${i}`;
          const put = await fetch(`${base}/v1/recipients/${recipient}`, {
            method: "PUT",
            headers,
            body: JSON.stringify({
              kind: "technician",
              name: "Pat",
              email: `${recipient}@example.com`,
              emailVerified: true,
              phone: `+1555${w}${String(i).padStart(6, "0")}`,
              phoneVerified: true,
              timezone: "UTC",
            }),
          });
          if (put.status !== 201)
            throw new Error(`PUT /v1/recipients answered ${put.status}: ${await put.text()}`);
          const res = await fetch(`${base}/v1/notifications`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              recipientId: recipient,
              template: "repair-approved",
              priority: "URGENT",
              context,
            }),
          });
          if (res.status !== 201)
            throw new Error(`POST /v1/notifications answered ${res.status}: ${await res.text()}`);
          const body = (await res.json()) as {
            notification: { id: string };
            decisions: { deliveryId?: string | null }[];
          };
          acks.push({
            id: body.notification.id,
            deliveryIds: body.decisions.flatMap((d) => (d.deliveryId ? [d.deliveryId] : [])),
            at: Date.now(),
          });
        } catch (error) {
          if (writing) throw error;
          return; // the crash cut this request: it was never acknowledged
        }
      }
    });

    // The one deliberate wait: keep writing for longer than the replication interval before the crash.
    await Bun.sleep(WRITE_FOR_MS);
    const crashAt = Date.now();
    running.killGroup("SIGKILL");
    writing = false;
    await Promise.all(writers);
    await running.exited;
    running = null;

    // The disk is lost: no database, no WAL.
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${database}${suffix}`, { force: true });
    expect(existsSync(database)).toBe(false);

    const restartedAt = performance.now();
    running = start();
    await waitReady(base, running);
    const rtoMs = performance.now() - restartedAt;
    expect(running.output()).toContain("database restored from the replica");
    expect(readdirSync(join(dir, "data")).some((name) => name.startsWith("orphaned-"))).toBe(true);

    const present = new Map<string, string[]>();
    for (let i = 0; i < acks.length; i += 32) {
      await Promise.all(
        acks.slice(i, i + 32).map(async (ack) => {
          const res = await fetch(`${base}/v1/notifications/${ack.id}`, { headers });
          if (res.status === 200) {
            const body = (await res.json()) as { deliveries: { id: string }[] };
            present.set(
              ack.id,
              body.deliveries.map((d) => d.id),
            );
          } else expect(res.status).toBe(404);
        }),
      );
    }
    const old = acks.filter((ack) => ack.at < crashAt - RPO_TARGET_MS);
    const lost = acks.filter((ack) => !present.has(ack.id));
    const oldestLostAgeMs = lost.length === 0 ? 0 : crashAt - Math.min(...lost.map((ack) => ack.at));
    expect(old.length).toBeGreaterThan(0);
    expect(old.filter((ack) => !present.has(ack.id)).map((ack) => ack.id)).toEqual([]);
    // Each restored notification still has exactly the deliveries that were acknowledged with it.
    for (const ack of old) expect(present.get(ack.id)?.toSorted()).toEqual(ack.deliveryIds.toSorted());
    expect(old.every((ack) => ack.deliveryIds.length === 2)).toBe(true);

    // Deliveries resume: wait until none is queued or leased (leases the crash left expire after 4 s). Read
    // with the one driver the project uses, from this process, which opens the restored file only now.
    const db = createClient({ url: `file:${database}`, timeout: 5000 });
    reader = db;
    await pollUntil(
      "every delivery to finish",
      async () => {
        const open = await db.execute(
          "SELECT count(*) AS n FROM deliveries WHERE status IN ('queued', 'leased')",
        );
        return Number(open.rows[0]?.n) === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, process: running },
    );
    const rows = (await db.execute("SELECT id, status, destination, sent_at FROM deliveries")).rows.map(
      (r) => ({
        id: String(r.id),
        status: String(r.status),
        destination: String(r.destination),
        sentAt: r.sent_at === null ? null : Number(r.sent_at),
      }),
    );
    const sends = new Map<string, number[]>();
    for (const line of readFileSync(sendLog, "utf8").split("\n")) {
      if (!line) continue;
      const call = JSON.parse(line) as { t: number; to: string };
      sends.set(call.to, [...(sends.get(call.to) ?? []), call.t]);
    }
    const sendsOf = (row: { destination: string }) => sends.get(row.destination) ?? [];
    const sentBeforeCrash = rows.filter(
      (r) => r.status === "sent" && r.sentAt !== null && r.sentAt < crashAt,
    );
    const duplicates = rows.filter((r) => sendsOf(r).length > 1);
    const heldAmbiguous = rows.filter((r) => r.status === "unknown");

    console.log(
      `DR drill (${replica.name} replica): ${acks.length} notifications acknowledged in ${WRITE_FOR_MS} ms, ${old.length} of them more than ` +
        `${RPO_TARGET_MS} ms before the SIGKILL; after deleting the database the restart restored ` +
        `${acks.length - lost.length}. Lost: ${lost.length} (oldest acknowledged ${oldestLostAgeMs} ms before the ` +
        `crash: the measured RPO). RTO (start to /health/ready, restore included): ${Math.round(rtoMs)} ms. ` +
        `Deliveries: ${rows.length}, ${sentBeforeCrash.length} restored as sent (none sent again), ` +
        `${rows.length - sentBeforeCrash.length - heldAmbiguous.length} sent after the restart, ` +
        `${heldAmbiguous.length} SMS held as unknown (send started in the restored state), ${duplicates.length} sent twice ` +
        "(their 'sent' record was younger than the replication window).",
    );
    expect(rows.filter((r) => !["sent", "unknown"].includes(r.status))).toEqual([]);
    expect(sentBeforeCrash.length).toBeGreaterThan(0);
    for (const row of sentBeforeCrash)
      expect({ id: row.id, sends: sendsOf(row).length }).toEqual({ id: row.id, sends: 1 });
    for (const row of rows.filter((r) => r.status === "sent"))
      expect(sendsOf(row).length).toBeGreaterThanOrEqual(1);
    // A second send only repeats a first one made just before the crash, whose record did not reach the replica.
    for (const row of duplicates) expect(crashAt - (sendsOf(row)[0] ?? 0)).toBeLessThanOrEqual(RPO_TARGET_MS);
    // SMS whose send had started in the restored state are ambiguous: held for an operator, never sent twice.
    for (const row of heldAmbiguous) expect(sendsOf(row).length).toBeLessThanOrEqual(1);

    // A clean stop: SIGTERM to the supervisor reaches Herald, which drains and exits 0, and so does the supervisor.
    process.kill(running.pid, "SIGTERM");
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('"msg":"shutting down","signal":"SIGTERM"');
    running = null;
  } finally {
    reader?.close();
    running?.killGroup("SIGKILL");
    fakeAws.killGroup("SIGTERM");
  }
}

test("after a crash and the loss of the database file, the restart restores every write older than 1 s from a file replica, and deliveries resume without resending", async () => {
  await drill({ name: "file", env: (dir) => ({ LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}` }) });
}, 60_000);

moto.test(
  "the same drill with an S3 replica on a loopback S3-compatible server (moto)",
  async () => {
    const port = freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const s3 = startGroup([moto.path, "-H", "127.0.0.1", "-p", String(port)], {
      PATH: process.env.PATH,
    });
    try {
      await pollUntil("moto's S3 server", async () => ((await fetch(`${endpoint}/`)).ok ? true : undefined), {
        timeoutMs: 20_000,
        process: s3,
      });
      // Litestream does not create buckets: make one, as an operator would.
      expect((await fetch(`${endpoint}/herald-dr`, { method: "PUT" })).status).toBe(200);
      await drill({
        name: "S3",
        env: () => ({
          LITESTREAM_REPLICA_URL: "s3://herald-dr/herald",
          LITESTREAM_S3_ENDPOINT: endpoint,
          LITESTREAM_S3_REGION: "us-east-1",
          // The bucket's own keys, apart from the AWS_* ones Herald's SES/SNS clients use in this drill.
          LITESTREAM_ACCESS_KEY_ID: "AKIDLITESTREAMTEST",
          LITESTREAM_SECRET_ACCESS_KEY: "litestream-secret",
        }),
      });
    } finally {
      s3.killGroup("SIGTERM");
    }
  },
  60_000,
);
