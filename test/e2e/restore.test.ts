import { expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, type GroupProcess, ROOT, startGroup, waitReady } from "../helpers/processes.ts";
import { tempDir } from "../helpers/temp-dir.ts";

// `herald restore` and `herald backup status` against the real supervisor, Litestream and Herald with a file
// replica. Replication is made complete by stopping the service gracefully (Litestream ships the last WAL
// frames on the way out), so no test waits on a timer.

const ADMIN_KEY = "hk_restore_test_admin_key_012345";
const dir = tempDir("herald-restore-");
const database = join(dir, "data/herald.db");
const port = freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  PATH: process.env.PATH,
  PORT: String(port),
  DATABASE_URL: `file:${database}`,
  LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}`,
  HERALD_ADMIN_KEY: ADMIN_KEY,
  HERALD_LOG_LEVEL: "warn",
};
const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };

async function startService(): Promise<GroupProcess> {
  const service = startGroup([process.execPath, "scripts/supervise.ts"], env);
  await waitReady(base, service);
  return service;
}

async function stopService(service: GroupProcess) {
  process.kill(service.pid, "SIGTERM");
  expect((await service.exited).code).toBe(0);
}

async function notify(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${base}/v1/notifications`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        recipientId: "tech-1",
        template: "repair-approved",
        priority: "URGENT",
        context: {
          repair: { id: `R-${i}`, title: "Replace compressor", address: "12 Main St" },
          technician: { name: "Alex" },
          customer: { name: "Dana" },
          approvedBy: "Sam",
          scheduledFor: "Tuesday 9:00",
        },
      }),
    });
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { notification: { id: string } }).notification.id);
  }
  return ids;
}

async function countNotifications(): Promise<number> {
  const res = await fetch(`${base}/v1/notifications?recipientId=tech-1&limit=100`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

async function herald(...args: string[]) {
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], {
    cwd: ROOT,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

test("point-in-time restore into a new file, swapped in only while the service is stopped", async () => {
  let service: GroupProcess | null = await startService();
  try {
    const recipient = await fetch(`${base}/v1/recipients/tech-1`, {
      method: "PUT",
      headers,
      body: JSON.stringify({
        kind: "technician",
        name: "Pat",
        email: "p@example.com",
        emailVerified: true,
        timezone: "UTC",
      }),
    });
    expect(recipient.status).toBe(201);
    await notify(3);
    await stopService(service);
    service = null;
    const afterFirstBatch = new Date();
    // Litestream dates replicated WAL to the second: the second batch must come in a later second than the
    // restore point, or the two batches cannot be told apart.
    await Bun.sleep(1100);

    service = await startService();
    await notify(2);
    expect(await countNotifications()).toBe(5);

    // Litestream restores to a timestamp only once the replica covers it (its newest WAL is at or after it):
    // wait for the second batch to be replicated (it syncs about every second).
    let status = await herald("backup", "status", "--json");
    for (
      const deadline = Date.now() + 20_000;
      Date.now() < deadline;
      status = await herald("backup", "status", "--json")
    ) {
      expect(status.code).toBe(0);
      const { restorableTo } = JSON.parse(status.stdout) as { restorableTo: string | null };
      if (restorableTo && Date.parse(restorableTo) >= afterFirstBatch.getTime()) break;
      await Bun.sleep(200); // polling another process (Litestream), which has no event to wait on
    }
    expect(status.code).toBe(0);
    const summary = JSON.parse(status.stdout);
    expect(summary).toMatchObject({ replica: env.LITESTREAM_REPLICA_URL, generations: 1 });
    expect(summary.lastSnapshot).not.toBeNull();

    // While Herald runs: a restore into a new file works; replacing the live database is refused.
    const early = await herald(
      "restore",
      "--timestamp",
      afterFirstBatch.toISOString(),
      "--to",
      join(dir, "early.db"),
      "--json",
    );
    expect(early.code).toBe(0);
    expect(JSON.parse(early.stdout)).toMatchObject({ integrity: ["ok"], notifications: 3, deliveries: 6 });
    const refused = await herald("restore", "--timestamp", afterFirstBatch.toISOString());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("stop the service first");
    expect(await countNotifications()).toBe(5);

    // --on-next-start prepares the verified file now; the supervisor swaps it in at the restart.
    const pending = await herald("restore", "--timestamp", afterFirstBatch.toISOString(), "--on-next-start");
    expect(pending.code).toBe(0);
    expect(existsSync(`${database}.pending-restore`)).toBe(true);
    await stopService(service);
    service = null;
    service = await startService();
    expect(await countNotifications()).toBe(3);
    expect(existsSync(`${database}.pending-restore`)).toBe(false);
    await stopService(service);
    service = null;

    // Stopped: the latest state is restored, verified and swapped in at once, the old files kept aside.
    const latest = await herald("restore");
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain("integrity_check ok");
    expect(latest.stderr).toContain("Swapped in");
    const asides = readdirSync(join(dir, "data")).filter((name) => name.startsWith("pre-restore-"));
    expect(asides).toHaveLength(2);
    service = await startService();
    expect(await countNotifications()).toBe(3);
  } finally {
    if (service) await stopService(service);
  }
}, 60_000);

test("a restore from a replica with no backup fails and changes nothing", async () => {
  const empty = tempDir("herald-restore-empty-");
  const proc = Bun.spawn([process.execPath, "src/cli.ts", "restore", "--to", join(empty, "x.db")], {
    cwd: ROOT,
    env: { ...env, LITESTREAM_REPLICA_URL: `file://${join(empty, "replica")}` },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(1);
  expect(await new Response(proc.stderr).text()).toContain("no matching backups found");
  expect(readdirSync(empty)).toEqual([]);
});
