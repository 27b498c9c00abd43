import { existsSync, mkdirSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The files SQLite and Litestream keep beside a database: meaningless, even harmful, without it. */
export function companionFiles(databasePath: string): string[] {
  return [
    `${databasePath}-wal`,
    `${databasePath}-shm`,
    join(dirname(databasePath), `.${basename(databasePath)}-litestream`),
  ];
}

/** Moves the existing `paths` into `<dir of database>/<label>-<time>/`; returns that directory, or null if none existed. */
export function moveAside(databasePath: string, paths: string[], label: string, now: Date): string | null {
  const present = paths.filter((path) => existsSync(path));
  if (present.length === 0) return null;
  const aside = join(dirname(databasePath), `${label}-${now.toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(aside, { recursive: true });
  for (const path of present) renameSync(path, join(aside, basename(path)));
  return aside;
}

/**
 * Moves the companions of a missing database into `<dir>/orphaned-<time>/`. A stale `-wal` next to a restored
 * database would be replayed into it by SQLite and corrupt it; moving (not deleting) keeps it for forensics.
 * Returns the directory, or null when there was nothing to move.
 */
export function moveOrphansAside(databasePath: string, now: Date): string | null {
  return moveAside(databasePath, companionFiles(databasePath), "orphaned", now);
}

/**
 * Replaces the database with `restoredPath`. The current file and its companions (-wal, -shm, Litestream's
 * shadow WAL) are moved, not deleted, into `<dir>/pre-restore-<time>/`. Only call while nothing holds the
 * database. Returns the directory the old files went to, or null if there were none.
 */
export function swapIn(databasePath: string, restoredPath: string, now: Date): string | null {
  const aside = moveAside(databasePath, [databasePath, ...companionFiles(databasePath)], "pre-restore", now);
  renameSync(restoredPath, databasePath);
  return aside;
}
