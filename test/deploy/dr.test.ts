import { expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/temp-dir.ts";
import { freePort, type GroupProcess, startGroup, waitReady } from "./processes.ts";

/**
 * Disaster recovery with real processes: the supervisor, the real Litestream binary and Herald, replicating to
 * a file replica. Writes run until the whole process group is SIGKILLed, the database files are deleted, and
 * the next start must restore them: every write acknowledged more than RPO_TARGET_MS before the crash is back.
 * (An S3 replica is not exercised: no S3-compatible server runs on this machine's loopback.)
 */
const RPO_TARGET_MS = 1000;
/** Longer than Litestream's sync interval (500 ms) plus its monitor interval, so writes of every age exist. */
const WRITE_FOR_MS = 2500;
const WRITERS = 8;
const ADMIN_KEY = "hk_dr_test_admin_key_0123456789";

interface Ack {
  id: string;
  deliveryIds: string[];
  /** When the 201 arrived: the write was committed (synchronous=FULL) by then. */
  at: number;
}

const context = {
  repair: { id: "R-10423", title: "Replace compressor", address: "12 Main St, Springfield" },
  technician: { name: "Alex Rivera" },
  customer: { name: "Dana Whitfield" },
  approvedBy: "Sam Ortiz",
  scheduledFor: "Tuesday 9:00",
};

test("after a crash and the loss of the database file, the restart restores every write older than 1 s", async () => {
  const dir = tempDir("herald-dr-");
  const database = join(dir, "data/herald.db");
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    DATABASE_URL: `file:${database}`,
    LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}`,
    HERALD_ADMIN_KEY: ADMIN_KEY,
    HERALD_LOG_LEVEL: "info", // the test reads Herald's "shutting down" line
  };
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
  const start = () => startGroup([process.execPath, "scripts/supervise.ts"], env);
  let running: GroupProcess | null = start();
  try {
    await waitReady(base, running);
    const recipients = ["tech-1", "tech-2", "tech-3", "tech-4"];
    for (const id of recipients) {
      const res = await fetch(`${base}/v1/recipients/${id}`, {
        method: "PUT",
        headers,
        body: JSON.stringify({
          kind: "technician",
          name: "Pat",
          email: `${id}@example.com`,
          emailVerified: true,
          phone: "+15551230001",
          phoneVerified: true,
          timezone: "UTC",
        }),
      });
      expect(res.status).toBe(201);
    }

    // URGENT notifications to recipients with verified contacts: each one also queues an email and an SMS delivery.
    const acks: Ack[] = [];
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; writing; i++) {
        try {
          const res = await fetch(`${base}/v1/notifications`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              recipientId: recipients[(w + i) % recipients.length],
              template: "repair-approved",
              priority: "URGENT",
              context,
            }),
          });
          if (res.status !== 201) throw new Error(`POST /v1/notifications answered ${res.status}: ${await res.text()}`);
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
    const missingOld = old.filter((ack) => !present.has(ack.id));
    const lost = acks.filter((ack) => !present.has(ack.id));
    const oldestLostAgeMs = lost.length === 0 ? 0 : crashAt - Math.min(...lost.map((ack) => ack.at));

    console.log(
      `DR drill: ${acks.length} notifications acknowledged in ${WRITE_FOR_MS} ms, ${old.length} of them more than ` +
        `${RPO_TARGET_MS} ms before the SIGKILL; after deleting the database the restart restored ` +
        `${acks.length - lost.length}. Lost: ${lost.length} (oldest acknowledged ${oldestLostAgeMs} ms before the ` +
        `crash: the measured RPO). RTO (start to /health/ready, restore included): ${Math.round(rtoMs)} ms.`,
    );
    expect(old.length).toBeGreaterThan(0);
    expect(missingOld.map((ack) => ack.id)).toEqual([]);
    // Each restored notification still has exactly the deliveries that were acknowledged with it.
    for (const ack of old) expect(present.get(ack.id)?.toSorted()).toEqual(ack.deliveryIds.toSorted());
    expect(old.every((ack) => ack.deliveryIds.length === 2)).toBe(true);

    // A clean stop: SIGTERM to the supervisor reaches Herald, which drains and exits 0, and so does the supervisor.
    process.kill(running.pid, "SIGTERM");
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('"msg":"shutting down","signal":"SIGTERM"');
    running = null;
  } finally {
    running?.killGroup("SIGKILL");
  }
}, 60_000);
