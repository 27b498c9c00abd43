import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { readBackupStatus } from "../backup/backup-status.ts";
import { describePendingRestore, readPendingRestore } from "../backup/pending-restore.ts";
import { replicationTarget } from "../backup/replication.config.ts";
import { type Command, UsageError } from "./command.ts";
import { formatTable } from "./table.ts";

/** `herald backup status`: what Litestream has copied off the machine, and how far behind it is. */
export const backupCommand: Command = {
  name: "backup",
  summary:
    "Show the Litestream replica: lag, generations, last snapshot, a restore waiting for the next start",
  usage: [
    "herald backup status [--json] [--max-lag SECONDS]",
    "    exits 1 when the replica is further behind than --max-lag (for cron or alerting)",
    "    needs LITESTREAM_REPLICA_URL (or LITESTREAM_S3_BUCKET) like the supervisor",
  ],
  async run(args, { config, io, env }) {
    const [action, ...rest] = args;
    if (action !== "status")
      throw new UsageError(action ? `unknown action '${action}'` : "give an action: status");
    const { values } = parseArgs({
      args: rest,
      options: { json: { type: "boolean" }, "max-lag": { type: "string" } },
    });
    const maxLagMs = values["max-lag"] === undefined ? null : Number(values["max-lag"]) * 1000;
    if (maxLagMs !== null && !(maxLagMs >= 0)) throw new UsageError("--max-lag takes a number of seconds");

    // The operator's environment carries the replica settings (they are Litestream's, not Herald's Config).
    const target = replicationTarget(config().DATABASE_URL, env, process.cwd());
    const pendingRestore = readPendingRestore(target.databasePath, Date.now());
    if (pendingRestore) io.err(`Pending restore: ${describePendingRestore(pendingRestore)}`);
    if (!existsSync(target.databasePath)) {
      io.err(
        `No database at ${target.databasePath}; the supervisor restores it from the replica at the next start.`,
      );
      return 1;
    }
    const status = await readBackupStatus(target.databasePath, target.env);
    const behind = maxLagMs !== null && (status.lagMs === null || status.lagMs > maxLagMs);
    if (values.json) {
      io.out(JSON.stringify({ replica: target.replication.replicaUrl, ...status, pendingRestore }));
    } else {
      const rows = [
        ["replica", target.replication.replicaUrl],
        ["generation", status.generation ?? "none (nothing replicated yet)"],
        ["generations kept", String(status.generations)],
        ["replica lag", status.lagMs === null ? "unknown" : `${(status.lagMs / 1000).toFixed(1)} s`],
        ["restorable from", status.restorableFrom ?? ""],
        ["restorable to", status.restorableTo ?? ""],
        [
          "last snapshot",
          status.lastSnapshot ? `${status.lastSnapshot.at} (${status.lastSnapshot.bytes} bytes)` : "none",
        ],
        ["wal since snapshot", `${status.walSegmentsSinceSnapshot} segments`],
        [
          "pending restore",
          pendingRestore ? (pendingRestore.expired ? "EXPIRED (see above)" : "waiting (see above)") : "none",
        ],
      ];
      io.out(formatTable(["BACKUP", ""], rows, io.isTTY));
    }
    if (behind) io.err(`The replica is further behind than ${values["max-lag"]} s.`);
    return behind ? 1 : 0;
  },
};
