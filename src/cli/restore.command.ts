import { parseArgs } from "node:util";
import { swapIn } from "../backup/database-files.ts";
import {
  cancelPendingRestore,
  describePendingRestore,
  isoSeconds,
  leavePendingRestore,
  PENDING_RESTORE_MAX_AGE_MS,
  readPendingRestore,
} from "../backup/pending-restore.ts";
import { replicationTarget } from "../backup/replication.config.ts";
import {
  databaseHolders,
  isSound,
  type RestoreVerification,
  restoreToNewFile,
} from "../backup/restore.service.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";

const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, "-");

/** What `herald restore` works with (tests give a restore that writes a file instead of asking Litestream). */
export interface RestoreCommandOptions {
  restore?: typeof restoreToNewFile;
  holders?: typeof databaseHolders;
  clock?: () => Date;
}

/**
 * `herald restore`: point-in-time restore from the Litestream replica into a new file, verified
 * (`PRAGMA integrity_check`, notification and delivery counts) before it may replace the live database.
 */
export function createRestoreCommand({
  restore = restoreToNewFile,
  holders = databaseHolders,
  clock = () => new Date(),
}: RestoreCommandOptions = {}): Command {
  const maxAgeHours = PENDING_RESTORE_MAX_AGE_MS / 3_600_000;
  return {
    name: "restore",
    summary: "Restore the database from the Litestream replica (latest or point in time), verified",
    usage: [
      "herald restore [--timestamp 2026-01-31T12:00:00Z] [--to PATH | --on-next-start] [--json]",
      "herald restore --cancel",
      "    --to PATH         restore into the new file PATH and verify it; the live database is not touched",
      "    --on-next-start   restore and verify now, while Herald runs; the supervisor swaps it in at the next",
      `                      (re)start within ${maxAgeHours} h, keeping the old files in pre-restore-<time>/ (later, it`,
      "                      refuses it and keeps the live database); herald status shows it while it waits",
      "    --cancel          remove the restore waiting for the next start",
      "    (neither)         restore, verify and swap in now: refused while Herald or Litestream has the database open",
    ],
    async run(args, { config, io, env: startEnv }) {
      const { values } = parseArgs({
        args,
        options: {
          timestamp: { type: "string" },
          to: { type: "string" },
          "on-next-start": { type: "boolean" },
          cancel: { type: "boolean" },
          json: { type: "boolean" },
        },
      });
      const timestamp = values.timestamp === undefined ? undefined : new Date(values.timestamp);
      if (timestamp && Number.isNaN(timestamp.getTime())) {
        throw new UsageError("--timestamp takes an ISO 8601 time, e.g. 2026-01-31T12:00:00Z");
      }
      if (values.to && values["on-next-start"])
        throw new UsageError("give --to or --on-next-start, not both");
      if (values.cancel && (values.to || values["on-next-start"] || timestamp)) {
        throw new UsageError("--cancel takes no other option");
      }
      const { databasePath, env } = replicationTarget(config().DATABASE_URL, startEnv, process.cwd());
      const now = clock();
      const report = (
        outputPath: string,
        verification: RestoreVerification,
        extra: Record<string, unknown> = {},
      ) => {
        if (values.json) {
          io.out(
            JSON.stringify({
              path: outputPath,
              timestamp: timestamp?.toISOString() ?? null,
              ...verification,
              ...extra,
            }),
          );
        } else printVerification(io, outputPath, timestamp, verification);
      };

      if (values.cancel) {
        const cancelled = cancelPendingRestore(databasePath, now.getTime());
        if (!cancelled) {
          io.err(`No restore is waiting for the next start (no ${databasePath}.pending-restore).`);
          return 1;
        }
        io.err(`Cancelled: removed ${cancelled.path}. The next start keeps the live database.`);
        return 0;
      }

      if (values.to) {
        const verification = await restore({ databasePath, outputPath: values.to, timestamp }, env);
        report(values.to, verification);
        return isSound(verification) ? 0 : 1;
      }

      if (values["on-next-start"]) {
        const waiting = readPendingRestore(databasePath, now.getTime());
        if (waiting) {
          io.err(`A restore is already waiting: ${describePendingRestore(waiting)}.`);
          return 1;
        }
        // Restore beside the pending name, then rename: the supervisor must never see a half-written file.
        const staging = `${databasePath}.restore-${stamp(now)}`;
        const verification = await restore({ databasePath, outputPath: staging, timestamp }, env);
        if (!isSound(verification)) {
          report(staging, verification);
          io.err(`The restored file failed verification; it stays at ${staging} and will not be used.`);
          return 1;
        }
        const pending = leavePendingRestore(databasePath, staging, {
          createdAt: now.getTime(),
          stateAt: timestamp?.toISOString() ?? null,
          notifications: verification.notifications,
          deliveries: verification.deliveries,
        });
        report(pending.path, verification, { expiresAt: isoSeconds(pending.expiresAt) });
        io.err(
          `Verified. ${pending.path} replaces the live database at the next start, if that is before ` +
            `${isoSeconds(pending.expiresAt)} (${maxAgeHours} h; later it is refused): restart the service ` +
            "(it keeps the old files). Cancel with 'herald restore --cancel'.",
        );
        return 0;
      }

      const refusal = stillRunning(holders(databasePath));
      if (refusal) {
        io.err(refusal);
        return 1;
      }
      const restored = `${databasePath}.restore-${stamp(now)}`;
      const verification = await restore({ databasePath, outputPath: restored, timestamp }, env);
      report(restored, verification);
      if (!isSound(verification)) {
        io.err(
          `The restored file failed verification; the live database is unchanged. It stays at ${restored}.`,
        );
        return 1;
      }
      // Checked again: the service may have been started while the restore ran.
      const lateRefusal = stillRunning(holders(databasePath));
      if (lateRefusal) {
        io.err(`${lateRefusal}\nThe verified restore stays at ${restored}.`);
        return 1;
      }
      const aside = swapIn(databasePath, restored, now);
      io.err(
        `Swapped in. ${aside ? `The previous files are in ${aside}.` : "There was no previous database."}`,
      );
      return 0;
    },
  };
}

/** The registered `herald restore` command. */
export const restoreCommand = createRestoreCommand();

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
  const newest =
    v.newestNotificationAt === null
      ? ""
      : ` (newest created ${new Date(v.newestNotificationAt).toISOString()})`;
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
