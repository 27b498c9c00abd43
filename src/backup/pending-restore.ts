/**
 * A verified restore waiting for the next start: `herald restore --on-next-start` writes it while Herald runs,
 * and the supervisor swaps it in before starting Herald, the one moment the service is sure to be stopped.
 * It carries a record of when it was made, because a restore is a decision about *now*: one left waiting for
 * weeks would roll the database back at some unrelated restart. After {@link PENDING_RESTORE_MAX_AGE_MS} the
 * supervisor refuses it (moves it aside, starts on the live database); `herald status` and
 * `herald backup status` show it, and `herald restore --cancel` removes it.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { moveAside, swapIn } from "./database-files.ts";

/** How long a pending restore stays usable: a restart later than this does not apply it. */
export const PENDING_RESTORE_MAX_AGE_MS = 24 * 3_600_000;

/** The pending restore's database file. */
export function pendingRestorePath(databasePath: string): string {
  return `${databasePath}.pending-restore`;
}

/** The record beside it (JSON). */
function recordPath(databasePath: string): string {
  return `${pendingRestorePath(databasePath)}.json`;
}

/** What is recorded when a restore is left for the next start. */
export interface PendingRestoreRecord {
  /** When it was made (epoch ms). */
  createdAt: number;
  /** The point in time it restores (ISO 8601), or null for the latest state in the replica. */
  stateAt: string | null;
  /** Rows it holds, as verified (null for a pending restore left without a record). */
  notifications: number | null;
  deliveries: number | null;
}

/** A pending restore as the supervisor and the status commands judge it at some `now`. */
export interface PendingRestore extends PendingRestoreRecord {
  path: string;
  /** When it stops being usable (epoch ms). */
  expiresAt: number;
  /** True once `expiresAt` has passed: the next start will not swap it in. */
  expired: boolean;
}

/** Judges a recorded pending restore at `now` (pure). */
export function judgePendingRestore(path: string, record: PendingRestoreRecord, now: number): PendingRestore {
  const expiresAt = record.createdAt + PENDING_RESTORE_MAX_AGE_MS;
  return { path, ...record, expiresAt, expired: now >= expiresAt };
}

function readRecord(databasePath: string): PendingRestoreRecord {
  try {
    const parsed = JSON.parse(
      readFileSync(recordPath(databasePath), "utf8"),
    ) as Partial<PendingRestoreRecord>;
    if (typeof parsed.createdAt === "number") {
      return {
        createdAt: parsed.createdAt,
        stateAt: parsed.stateAt ?? null,
        notifications: parsed.notifications ?? null,
        deliveries: parsed.deliveries ?? null,
      };
    }
  } catch {
    // No record (a pending restore from an older Herald) or a damaged one: fall through to the file's own time.
  }
  // The file was written when the restore was made: its modification time is the best age there is.
  return {
    createdAt: statSync(pendingRestorePath(databasePath)).mtimeMs,
    stateAt: null,
    notifications: null,
    deliveries: null,
  };
}

/** The pending restore of `databasePath` judged at `now`, or null when there is none. */
export function readPendingRestore(databasePath: string, now: number): PendingRestore | null {
  const path = pendingRestorePath(databasePath);
  if (!existsSync(path)) return null;
  return judgePendingRestore(path, readRecord(databasePath), now);
}

/**
 * Leaves the verified file `restoredPath` for the next start: writes the record, then renames the file to the
 * pending name (the supervisor must never see a half-written file). Returns the pending restore.
 */
export function leavePendingRestore(
  databasePath: string,
  restoredPath: string,
  record: PendingRestoreRecord,
): PendingRestore {
  const recordFile = recordPath(databasePath);
  writeFileSync(`${recordFile}.tmp`, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(`${recordFile}.tmp`, recordFile);
  renameSync(restoredPath, pendingRestorePath(databasePath));
  return judgePendingRestore(pendingRestorePath(databasePath), record, record.createdAt);
}

/** Removes the pending restore and its record; returns what was removed, or null when there was none. */
export function cancelPendingRestore(databasePath: string, now: number): PendingRestore | null {
  const pending = readPendingRestore(databasePath, now);
  if (!pending) return null;
  rmSync(pending.path, { force: true });
  rmSync(recordPath(databasePath), { force: true });
  return pending;
}

/** What {@link applyPendingRestore} did. */
export type PendingRestoreOutcome =
  | { outcome: "none" }
  | { outcome: "swapped"; pending: PendingRestore; previousFilesIn: string | null }
  | { outcome: "expired"; pending: PendingRestore; movedTo: string | null };

/**
 * At start, before Herald runs: swaps in a pending restore younger than {@link PENDING_RESTORE_MAX_AGE_MS}
 * (the old files go to `pre-restore-<time>/`); an older one is refused and moved, with its record, into
 * `expired-restore-<time>/` so the live database stays and the file is still there to inspect.
 */
export function applyPendingRestore(databasePath: string, now: Date): PendingRestoreOutcome {
  const pending = readPendingRestore(databasePath, now.getTime());
  if (!pending) return { outcome: "none" };
  if (pending.expired) {
    const movedTo = moveAside(databasePath, [pending.path, recordPath(databasePath)], "expired-restore", now);
    return { outcome: "expired", pending, movedTo };
  }
  const previousFilesIn = swapIn(databasePath, pending.path, now);
  rmSync(recordPath(databasePath), { force: true });
  return { outcome: "swapped", pending, previousFilesIn };
}

/** `2026-01-31T12:00:00Z`: a time for the operator. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** One line about a pending restore, for `herald status` and `herald backup status`. */
export function describePendingRestore(p: PendingRestore): string {
  const state = p.stateAt ? `the state at ${p.stateAt}` : "the latest state in the replica";
  const made = `made ${isoSeconds(p.createdAt)}`;
  if (p.expired) {
    return `${p.path} (${state}, ${made}) EXPIRED at ${isoSeconds(p.expiresAt)}: the next start will not use it; remove it with 'herald restore --cancel'`;
  }
  return `${p.path} (${state}, ${made}) replaces the live database at the next start before ${isoSeconds(p.expiresAt)}; cancel with 'herald restore --cancel'`;
}
