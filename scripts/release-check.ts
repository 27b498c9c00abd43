#!/usr/bin/env bun
/**
 * Fly's release step (`[deploy] release_command` in fly.toml): a migration rehearsal on a fresh restore.
 *
 * Fly runs the release command on a temporary machine without the app's volume, so it cannot migrate the live
 * database (the machine does that at boot: Herald migrates before it serves). What it can do, and does here:
 * restore the latest backup from the replica into a scratch file, check it (`PRAGMA integrity_check`, counts),
 * apply this release's migrations to it and check it again. A failure stops the deploy while the running
 * version keeps serving, and every deploy doubles as a restore drill. A replica with no backup yet (the first
 * deploy) passes.
 *
 * Usage: bun scripts/release-check.ts   (same environment as the supervisor: DATABASE_URL, LITESTREAM_*, AWS_*)
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restoreFromReplica } from "../src/backup/litestream.ts";
import { replicationTarget } from "../src/backup/replication.config.ts";
import { isSound, type RestoreVerification, verifyDatabaseFile } from "../src/backup/restore.service.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";

const describe = (v: RestoreVerification) =>
  `integrity ${v.integrity.slice(0, 3).join("; ")}, ${v.notifications} notifications, ${v.deliveries} deliveries`;

async function releaseCheck(): Promise<number> {
  let target: ReturnType<typeof replicationTarget>;
  try {
    target = replicationTarget(loadConfig(process.env).DATABASE_URL, process.env, process.cwd());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 78;
  }
  const scratch = mkdtempSync(join(tmpdir(), "herald-release-check-"));
  try {
    const copy = join(scratch, "herald.db");
    const started = performance.now();
    await restoreFromReplica(
      { databasePath: target.databasePath, outputPath: copy, ifReplicaExists: true },
      target.env,
    );
    if (!existsSync(copy)) {
      console.log("release check: the replica holds no backup yet (first deploy); nothing to rehearse");
      return 0;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const before = await verifyDatabaseFile(copy);
    console.log(`release check: restored the latest backup in ${seconds} s: ${describe(before)}`);
    if (!isSound(before)) return 1;

    const db = await openDatabase({ url: `file:${copy}` });
    try {
      await db.migrate();
    } finally {
      await db.close();
    }
    const after = await verifyDatabaseFile(copy);
    console.log(`release check: migrations applied to the copy: ${describe(after)}`);
    const kept = after.notifications === before.notifications && after.deliveries === before.deliveries;
    if (!kept)
      console.error("release check: the migrations changed the number of notifications or deliveries");
    return isSound(after) && kept ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exit(await releaseCheck());
