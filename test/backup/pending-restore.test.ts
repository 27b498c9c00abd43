/**
 * `herald restore --on-next-start` and what follows: the file the command names, the pending restore in
 * `herald status` and `herald backup status`, `--cancel`, and the supervisor's refusal of an old one. The
 * restore itself is a plain file written here (Litestream's part is covered by restore.test.ts).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyPendingRestore,
  leavePendingRestore,
  PENDING_RESTORE_MAX_AGE_MS,
  pendingRestorePath,
  readPendingRestore,
} from "../../src/backup/pending-restore.ts";
import { type RestoreVerification, verifyDatabaseFile } from "../../src/backup/restore.service.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { createRestoreCommand } from "../../src/cli/restore.command.ts";
import { createStatusCommand } from "../../src/cli/status.command.ts";
import { runCli } from "../../src/cli.ts";
import type { Config } from "../../src/config.ts";
import { openNativeClient } from "../../src/db/native-client.ts";
import { makeTestApp, tempDir } from "../helpers/test-app.ts";

const HOUR = 3_600_000;
const MADE = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A small database with Herald's two counted tables: what a restore from the replica would write. */
async function writeRestoredFile(path: string, notifications: number): Promise<RestoreVerification> {
  const client = openNativeClient({ path, timeoutMs: 5000 });
  await client.execute("CREATE TABLE notifications (id INTEGER PRIMARY KEY, created_at INTEGER)");
  await client.execute("CREATE TABLE deliveries (id INTEGER PRIMARY KEY)");
  for (let i = 0; i < notifications; i++)
    await client.execute(`INSERT INTO notifications (created_at) VALUES (${MADE})`);
  client.close();
  return verifyDatabaseFile(path);
}

function captureIo(isTTY = true) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), isTTY };
  return { io, stdout: () => out.join("\n"), stderr: () => err.join("\n") };
}

/** `herald restore <args>` with a restore that writes a file of `notifications` rows, at `now`. */
async function restore(config: Config, args: string[], now = new Date(), notifications = 3) {
  const command = createRestoreCommand({
    restore: ({ outputPath }) => writeRestoredFile(outputPath, notifications),
    holders: () => [],
    clock: () => now,
  });
  const { io, stdout, stderr } = captureIo(false);
  const env = { LITESTREAM_REPLICA_URL: `file://${join(tempDir(), "replica")}` };
  const code = await command.run(args, { io, env, config: () => config });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe("herald restore --on-next-start", () => {
  test("names the pending file it leaves, shows in herald status until cancelled, and states its expiry", async () => {
    const t = await makeTestApp({ seed: false });
    const pendingPath = `${t.dbPath}.pending-restore`;
    const made = await restore(t.deps.config, ["--on-next-start", "--json"]);
    expect(made.code).toBe(0);
    const printed = JSON.parse(made.stdout);
    expect(printed).toMatchObject({ path: pendingPath, integrity: ["ok"], notifications: 3 });
    expect(Date.parse(printed.expiresAt) - Date.now()).toBeGreaterThan(PENDING_RESTORE_MAX_AGE_MS - HOUR);
    expect(made.stderr).toContain(`Verified. ${pendingPath} replaces the live database at the next start`);
    expect(made.stderr).toContain("herald restore --cancel");
    expect(readdirSync(join(t.dbPath, "..")).filter((f) => f.includes(".restore-"))).toEqual([]);

    const again = await restore(t.deps.config, ["--on-next-start"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`A restore is already waiting: ${pendingPath}`);

    const status = createStatusCommand({ open: (_config, work) => work(t.deps), timeoutMs: 200 });
    const screen = captureIo(true);
    await status.run(["--url", "http://127.0.0.1:9"], {
      io: screen.io,
      env: {},
      config: () => t.deps.config,
    });
    expect(screen.stdout()).toContain(
      `Pending restore: ${pendingPath} (the latest state in the replica, made `,
    );
    expect(screen.stdout()).toContain("replaces the live database at the next start before");
    const json = captureIo(false);
    await status.run(["--url", "http://127.0.0.1:9"], { io: json.io, env: {}, config: () => t.deps.config });
    expect(JSON.parse(json.stdout()).pendingRestore).toMatchObject({
      path: pendingPath,
      expired: false,
      notifications: 3,
    });

    const cancelled = await restore(t.deps.config, ["--cancel"]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).toContain(`Cancelled: removed ${pendingPath}`);
    expect(existsSync(pendingPath)).toBe(false);
    const after = captureIo(false);
    await status.run(["--url", "http://127.0.0.1:9"], { io: after.io, env: {}, config: () => t.deps.config });
    expect(JSON.parse(after.stdout()).pendingRestore).toBeNull();
    expect((await restore(t.deps.config, ["--cancel"])).code).toBe(1);
  });

  test("herald backup status shows a pending restore, expired or not", async () => {
    const dir = tempDir();
    const database = join(dir, "herald.db");
    leavePendingRestore(database, await writeRestoredFileAt(join(dir, "staged.db")), {
      createdAt: Date.now() - PENDING_RESTORE_MAX_AGE_MS - HOUR,
      stateAt: "2026-11-20T08:00:00.000Z",
      notifications: 1,
      deliveries: 0,
    });
    const { io, stderr } = captureIo(false);
    const env = {
      DATABASE_URL: `file:${database}`,
      LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}`,
      HERALD_LOG_LEVEL: "silent",
    };
    expect(await runCli(["backup", "status"], io, env)).toBe(1);
    expect(stderr()).toContain(
      `Pending restore: ${database}.pending-restore (the state at 2026-11-20T08:00:00.000Z, made `,
    );
    expect(stderr()).toContain("EXPIRED at");
    expect(stderr()).toContain("the next start will not use it");
  });
});

async function writeRestoredFileAt(path: string): Promise<string> {
  await writeRestoredFile(path, 1);
  return path;
}

describe("the supervisor's pending restore", () => {
  const record = (createdAt: number) => ({ createdAt, stateAt: null, notifications: 2, deliveries: 0 });

  test("a fresh one is swapped in and the old database kept aside", async () => {
    const dir = tempDir();
    const database = join(dir, "herald.db");
    writeFileSync(database, "live");
    leavePendingRestore(database, await writeRestoredFileAt(join(dir, "staged.db")), record(MADE));
    const applied = applyPendingRestore(database, new Date(MADE + PENDING_RESTORE_MAX_AGE_MS - 1));
    expect(applied.outcome).toBe("swapped");
    expect((await verifyDatabaseFile(database)).notifications).toBe(1);
    expect(readPendingRestore(database, MADE)).toBeNull();
    const aside = readdirSync(dir).filter((name) => name.startsWith("pre-restore-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] as string, "herald.db"), "utf8")).toBe("live");
    expect(readdirSync(dir).filter((name) => name.includes("pending-restore"))).toEqual([]);
  });

  test("one older than the limit is refused: the live database stays, the file is moved aside", async () => {
    const dir = tempDir();
    const database = join(dir, "herald.db");
    writeFileSync(database, "live");
    leavePendingRestore(database, await writeRestoredFileAt(join(dir, "staged.db")), record(MADE));
    const applied = applyPendingRestore(database, new Date(MADE + PENDING_RESTORE_MAX_AGE_MS));
    expect(applied).toMatchObject({ outcome: "expired", pending: { expired: true, createdAt: MADE } });
    expect(readFileSync(database, "utf8")).toBe("live");
    expect(existsSync(pendingRestorePath(database))).toBe(false);
    const moved = readdirSync(dir).filter((name) => name.startsWith("expired-restore-"));
    expect(moved).toHaveLength(1);
    expect(readdirSync(join(dir, moved[0] as string)).sort()).toEqual([
      "herald.db.pending-restore",
      "herald.db.pending-restore.json",
    ]);
  });

  test("one left without a record (by an older Herald) is aged by its file's time", async () => {
    const dir = tempDir();
    const database = join(dir, "herald.db");
    writeFileSync(database, "live");
    await writeRestoredFile(pendingRestorePath(database), 1);
    const weeksAgo = new Date(Date.now() - 21 * 24 * HOUR);
    utimesSync(pendingRestorePath(database), weeksAgo, weeksAgo);
    expect(readPendingRestore(database, Date.now())).toMatchObject({ expired: true, notifications: null });
    expect(applyPendingRestore(database, new Date()).outcome).toBe("expired");
    expect(readFileSync(database, "utf8")).toBe("live");
  });
});
