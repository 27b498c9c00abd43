import { existsSync, renameSync } from "node:fs";
import { parseArgs } from "node:util";
import { pendingRestorePath, swapIn } from "../backup/database-files.ts";
import { replicationTarget } from "../backup/replication.config.ts";
import {
  databaseHolders,
  isSound,
  type RestoreVerification,
  restoreToNewFile,
} from "../backup/restore.service.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";

const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, "-");

/**
 * `herald restore`: point-in-time restore from the Litestream replica into a new file, verified
 * (`PRAGMA integrity_check`, notification and delivery counts) before it may replace the live database.
 */
export const restoreCommand: Command = {
  name: "restore",
  summary: "Restore the database from the Litestream replica (latest or point in time), verified",
  usage: [
    "herald restore [--timestamp 2026-01-31T12:00:00Z] [--to PATH | --on-next-start] [--json]",
    "    --to PATH         restore into the new file PATH and verify it; the live database is not touched",
    "    --on-next-start   restore and verify now, while Herald runs; the supervisor swaps it in at the next",
    "                      (re)start, keeping the old files in pre-restore-<time>/",
    "    (neither)         restore, verify and swap in now: refused while Herald or Litestream has the database open",
  ],
  async run(args, { config, io, env: startEnv }) {
    const { values } = parseArgs({
      args,
      options: {
        timestamp: { type: "string" },
        to: { type: "string" },
        "on-next-start": { type: "boolean" },
        json: { type: "boolean" },
      },
    });
    const timestamp = values.timestamp === undefined ? undefined : new Date(values.timestamp);
    if (timestamp && Number.isNaN(timestamp.getTime())) {
      throw new UsageError("--timestamp takes an ISO 8601 time, e.g. 2026-01-31T12:00:00Z");
    }
    if (values.to && values["on-next-start"]) throw new UsageError("give --to or --on-next-start, not both");
    const { databasePath, env } = replicationTarget(config().DATABASE_URL, startEnv, process.cwd());
    const now = new Date();
    const report = (outputPath: string, verification: RestoreVerification) => {
      if (values.json) io.out(JSON.stringify({ path: outputPath, timestamp: timestamp?.toISOString() ?? null, ...verification }));
      else printVerification(io, outputPath, timestamp, verification);
    };

    if (values.to) {
      const verification = await restoreToNewFile({ databasePath, outputPath: values.to, timestamp }, env);
      report(values.to, verification);
      return isSound(verification) ? 0 : 1;
    }

    if (values["on-next-start"]) {
      const pending = pendingRestorePath(databasePath);
      if (existsSync(pending)) {
        io.err(`A restore is already waiting at ${pending}; delete it first to replace it.`);
        return 1;
      }
      // Restore beside the pending name, then rename: the supervisor must never see a half-written file.
      const staging = `${databasePath}.restore-${stamp(now)}`;
      const verification = await restoreToNewFile({ databasePath, outputPath: staging, timestamp }, env);
      report(staging, verification);
      if (!isSound(verification)) {
        io.err(`The restored file failed verification; it stays at ${staging} and will not be used.`);
        return 1;
      }
      renameSync(staging, pending);
      io.err(`Verified. It replaces the live database at the next start: restart the service (it keeps the old files).`);
      return 0;
    }

    const refusal = stillRunning(databaseHolders(databasePath));
    if (refusal) {
      io.err(refusal);
      return 1;
    }
    const restored = `${databasePath}.restore-${stamp(now)}`;
    const verification = await restoreToNewFile({ databasePath, outputPath: restored, timestamp }, env);
    report(restored, verification);
    if (!isSound(verification)) {
      io.err(`The restored file failed verification; the live database is unchanged. It stays at ${restored}.`);
      return 1;
    }
    // Checked again: the service may have been started while the restore ran.
    const lateRefusal = stillRunning(databaseHolders(databasePath));
    if (lateRefusal) {
      io.err(`${lateRefusal}\nThe verified restore stays at ${restored}.`);
      return 1;
    }
    const aside = swapIn(databasePath, restored, now);
    io.err(`Swapped in. ${aside ? `The previous files are in ${aside}.` : "There was no previous database."}`);
    return 0;
  },
};

/** Why the live database cannot be replaced now, or null when nothing has it open. */
function stillRunning(holders: number[] | null): string | null {
  if (holders === null) {
    return "Cannot tell whether Herald is running (no /proc here): use --to PATH, or --on-next-start under the supervisor.";
  }
  if (holders.length === 0) return null;
  return (
    `The database is open in process ${holders.join(", ")} (Herald or Litestream): stop the service first, ` +
    "or use --on-next-start to swap the restore in at the next restart."
  );
}

function printVerification(io: CliIo, path: string, timestamp: Date | undefined, v: RestoreVerification) {
  const newest = v.newestNotificationAt === null ? "" : ` (newest created ${new Date(v.newestNotificationAt).toISOString()})`;
  io.out(
    [
      `restored        ${path}`,
      `state at        ${timestamp ? timestamp.toISOString() : "latest in the replica"}`,
      `integrity_check ${v.integrity.slice(0, 5).join("; ")}${v.integrity.length > 5 ? " …" : ""}`,
      `notifications   ${v.notifications}${newest}`,
      `deliveries      ${v.deliveries}`,
    ].join("\n"),
  );
}
