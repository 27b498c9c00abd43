import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { BUSY_TIMEOUT_MS } from "../db/database.ts";
import { openNativeClient } from "../db/native-client.ts";
import { companionFiles } from "./database-files.ts";
import { processesHolding } from "./file-holders.ts";
import { restoreFromReplica } from "./litestream.ts";

/** What a restored file holds, checked before it may replace the live database. */
export interface RestoreVerification {
  /** `PRAGMA integrity_check` rows: exactly ["ok"] for a sound file. */
  integrity: string[];
  notifications: number;
  deliveries: number;
  /** `created_at` (epoch ms) of the newest notification: how far the restored state reaches. */
  newestNotificationAt: number | null;
}

/** True when the verification allows swapping the file in. */
export function isSound(verification: RestoreVerification): boolean {
  return verification.integrity.length === 1 && verification.integrity[0] === "ok";
}

/**
 * Opens `path` (with the project's one SQLite driver), runs `PRAGMA integrity_check` and counts notifications
 * and deliveries. Throws when the file is not a Herald database (tables missing).
 */
export async function verifyDatabaseFile(path: string): Promise<RestoreVerification> {
  const client = openNativeClient({ path, timeoutMs: BUSY_TIMEOUT_MS });
  try {
    const integrity = (await client.execute("PRAGMA integrity_check")).rows.map((row) => String(row[0]));
    const counts = await client.execute(
      "SELECT (SELECT count(*) FROM notifications), (SELECT count(*) FROM deliveries), (SELECT max(created_at) FROM notifications)",
    );
    const row = counts.rows[0];
    const newest = row?.[2];
    return {
      integrity,
      notifications: Number(row?.[0]),
      deliveries: Number(row?.[1]),
      newestNotificationAt: newest === null || newest === undefined ? null : Number(newest),
    };
  } finally {
    client.close();
    removeEmptyWal(path);
  }
}

/**
 * libSQL leaves `-wal` and `-shm` behind on close. After a read-only check of a file fresh from Litestream the
 * WAL is empty and both can go, so the file stands alone (ready to be renamed); a WAL holding frames is data
 * and stays.
 */
function removeEmptyWal(path: string) {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) return;
  rmSync(wal, { force: true });
  rmSync(`${path}-shm`, { force: true });
}

/**
 * Restores the replica's state (latest, or at `timestamp`) into the new file `outputPath` and verifies it.
 * The live database is not touched.
 */
export async function restoreToNewFile(
  input: { databasePath: string; outputPath: string; timestamp?: Date },
  env: Record<string, string | undefined>,
): Promise<RestoreVerification> {
  if (existsSync(input.outputPath)) throw new Error(`${input.outputPath} already exists; choose a new file`);
  mkdirSync(dirname(input.outputPath), { recursive: true });
  await restoreFromReplica(input, env);
  return verifyDatabaseFile(input.outputPath);
}

/** The processes using the database or its WAL (Herald, Litestream); empty when the service is stopped. */
export function databaseHolders(databasePath: string): number[] | null {
  return processesHolding([databasePath, ...companionFiles(databasePath).slice(0, 2)]);
}
