import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ConfigError, loadConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import { moveOrphansAside } from "./database-files.ts";
import { LITESTREAM_CONFIG, litestreamBinary, restoreFromReplica } from "./litestream.ts";
import { applyPendingRestore, PENDING_RESTORE_MAX_AGE_MS } from "./pending-restore.ts";
import { replicationTarget } from "./replication.config.ts";

/** Options for {@link supervise}. */
export interface SuperviseOptions {
  /** The environment Herald and Litestream get (the operator's, usually `process.env`). */
  env: Record<string, string | undefined>;
  /** Directory a relative DATABASE_URL is resolved against (Herald runs here too). */
  cwd: string;
  logger: Logger;
  /** Herald's command line (default: this Bun running src/main.ts with {@link EXIT_STATUS_PRELOAD}). */
  heraldCommand?: string[];
}

/** Preload that records Herald's exit status for the supervisor; every Herald command line needs it. */
export const EXIT_STATUS_PRELOAD = join(import.meta.dir, "exit-status.preload.ts");
const HERALD_MAIN = join(import.meta.dir, "../main.ts");

/** Signals forwarded to Litestream, which passes them on to Herald and waits for it. */
const FORWARDED = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/** Quotes `arg` for the shell-words parser Litestream uses on `-exec`. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Runs Herald under Litestream, the production process shape:
 *  1. checks both configurations (exit 78 when either is invalid, or the database is not a local file);
 *  2. swaps in a verified restore left by `herald restore --on-next-start`, if any (Herald is not running yet)
 *     and younger than PENDING_RESTORE_MAX_AGE_MS (an older one is moved aside and the live database kept);
 *     then, when the database file is missing, moves stale companions aside and restores the latest backup
 *     (`-if-db-not-exists -if-replica-exists`: a first start with no backup begins empty). A replica that
 *     cannot be read stops the start (exit 1) rather than begin empty beside a backup it could not see;
 *  3. runs `litestream replicate -exec <herald>`, forwarding SIGTERM/SIGINT/SIGHUP to it (Litestream passes
 *     them to Herald, waits for it, then ships the last WAL frames);
 *  4. resolves with Herald's own exit status (read from the file the preload writes), else Litestream's.
 */
export async function supervise(options: SuperviseOptions): Promise<number> {
  const { env, cwd, logger } = options;
  let databasePath: string;
  let childEnv: Record<string, string | undefined>;
  let replicaUrl: string;
  try {
    ({
      databasePath,
      env: childEnv,
      replication: { replicaUrl },
    } = replicationTarget(loadConfig(env).DATABASE_URL, env, cwd));
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error("invalid configuration", { issues: error.issues });
      return 78;
    }
    throw error;
  }

  let child: ReturnType<typeof Bun.spawn> | null = null;
  let forwarded: (typeof FORWARDED)[number] | null = null;
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      forwarded = signal;
      logger.info("supervisor: forwarding signal", { signal });
      child?.kill(signal);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  const statusDir = mkdtempSync(join(tmpdir(), "herald-supervisor-"));
  try {
    mkdirSync(dirname(databasePath), { recursive: true });
    const applied = applyPendingRestore(databasePath, new Date());
    if (applied.outcome === "swapped") {
      logger.warn("supervisor: swapped in the pending restore", {
        madeAt: new Date(applied.pending.createdAt).toISOString(),
        stateAt: applied.pending.stateAt ?? "latest",
        previousFilesIn: applied.previousFilesIn,
      });
    } else if (applied.outcome === "expired") {
      logger.error(
        "supervisor: refused a pending restore older than its limit; starting on the live database",
        {
          madeAt: new Date(applied.pending.createdAt).toISOString(),
          maxAgeHours: PENDING_RESTORE_MAX_AGE_MS / 3_600_000,
          movedTo: applied.movedTo,
        },
      );
    }
    if (!existsSync(databasePath)) {
      const aside = moveOrphansAside(databasePath, new Date());
      if (aside) logger.warn("supervisor: moved the files of a missing database aside", { to: aside });
      const started = performance.now();
      try {
        await restoreFromReplica({ databasePath, ifReplicaExists: true, ifDbNotExists: true }, childEnv);
      } catch (error) {
        logger.error("supervisor: restore failed; not starting", { error: (error as Error).message });
        return 1;
      }
      const ms = Math.round(performance.now() - started);
      if (existsSync(databasePath)) logger.info("supervisor: database restored from the replica", { ms });
      // A warning, not news: a mistyped replica path looks exactly like a first start, and starting empty
      // beside the real backup would fork the history.
      else {
        logger.warn(
          "supervisor: the replica lists no generation; Herald starts with an EMPTY database. Expected on a first start; otherwise check LITESTREAM_REPLICA_URL",
          { replica: replicaUrl, ms },
        );
      }
    }
    if (forwarded) return 128 + constants.signals[forwarded];

    const statusFile = join(statusDir, "exit-status");
    const herald = options.heraldCommand ?? [process.execPath, "--preload", EXIT_STATUS_PRELOAD, HERALD_MAIN];
    child = Bun.spawn(
      [
        litestreamBinary(),
        "replicate",
        "-config",
        LITESTREAM_CONFIG,
        "-exec",
        herald.map(shellWord).join(" "),
      ],
      {
        cwd,
        env: { ...childEnv, HERALD_EXIT_STATUS_FILE: statusFile },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const litestreamCode = await child.exited;
    const recorded = existsSync(statusFile) ? Number(readFileSync(statusFile, "utf8")) : Number.NaN;
    const heraldCode = Number.isInteger(recorded) ? recorded : null;
    logger.info("supervisor: stopped", { heraldExitCode: heraldCode, litestreamExitCode: litestreamCode });
    if (heraldCode !== null) return heraldCode;
    // No status: Herald never exited by itself (killed by a signal, e.g. one forwarded before its handlers were
    // installed, which Litestream reports as success), or Litestream itself was killed. Report it as a shell would.
    const signal = child.signalCode ?? (litestreamCode === 0 ? forwarded : null);
    return signal ? 128 + (constants.signals[signal as keyof typeof constants.signals] ?? 0) : litestreamCode;
  } finally {
    for (const off of handlers) off();
    rmSync(statusDir, { recursive: true, force: true });
  }
}
