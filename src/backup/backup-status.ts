import { listFromReplica } from "./litestream.ts";

/** The replica's state as Litestream reports it, for `herald backup status`. */
export interface BackupStatus {
  /** The generation being written (a new one starts after a restore or when Litestream loses its position). */
  generation: string | null;
  /** Generations kept in the replica (each a snapshot plus WAL): older ones are point-in-time history. */
  generations: number;
  /** How far the replica is behind the local database, in ms (Litestream's own figure). */
  lagMs: number | null;
  /** The time range the current generation can be restored to. */
  restorableFrom: string | null;
  restorableTo: string | null;
  lastSnapshot: { at: string; index: number; bytes: number } | null;
  /** WAL segments uploaded since the last snapshot: what a restore replays on top of it. */
  walSegmentsSinceSnapshot: number;
}

/**
 * Parses a Go duration as Litestream prints it (`350ms`, `2.8s`, `-1.2s`, `1m27s`, `3h0m0s`, `1.5µs`) into ms.
 * Returns null for anything else.
 */
export function parseGoDuration(text: string): number | null {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.replace(/^[-+]/, "");
  if (body === "0") return 0;
  const parts = [...body.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== body) return null;
  return sign * parts.reduce((sum, [, value, unit]) => sum + Number(value) * (units[unit as string] ?? 0), 0);
}

/** Builds the status from the rows of `litestream generations`, `snapshots` and `wal` for one replica. */
export function summarizeBackup(
  replica: string,
  rows: {
    generations: Record<string, string>[];
    snapshots: Record<string, string>[];
    wal: Record<string, string>[];
  },
): BackupStatus {
  const generations = rows.generations.filter((row) => row.name === replica);
  // The current generation is the one whose WAL reaches furthest (ISO timestamps sort as strings).
  const current = generations.toSorted((a, b) => (a.end ?? "").localeCompare(b.end ?? "")).at(-1);
  const lag = current?.lag ? parseGoDuration(current.lag) : null;
  const snapshot = rows.snapshots
    .filter((row) => row.replica === replica && row.generation === current?.generation)
    .toSorted((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0))
    .at(-1);
  const snapshotIndex = snapshot ? Number(snapshot.index ?? 0) : 0;
  const segments = rows.wal.filter(
    (row) =>
      row.replica === replica &&
      row.generation === current?.generation &&
      Number(row.index ?? 0) >= snapshotIndex,
  );
  return {
    generation: current?.generation ?? null,
    generations: generations.length,
    // Litestream prints a negative lag when the replica saw the last local write after it happened: up to date.
    lagMs: lag === null ? null : Math.max(0, lag),
    restorableFrom: current?.start ?? null,
    restorableTo: current?.end ?? null,
    lastSnapshot: snapshot
      ? { at: snapshot.created ?? "", index: snapshotIndex, bytes: Number(snapshot.size ?? 0) }
      : null,
    walSegmentsSinceSnapshot: segments.length,
  };
}

/** Name of the replica in litestream.yml. */
export const REPLICA_NAME = "primary";

/** Asks Litestream about the replica of `databasePath` (the file must exist) and summarizes it. */
export async function readBackupStatus(
  databasePath: string,
  env: Record<string, string | undefined>,
): Promise<BackupStatus> {
  const [generations, snapshots, wal] = await Promise.all([
    listFromReplica("generations", databasePath, env),
    listFromReplica("snapshots", databasePath, env),
    listFromReplica("wal", databasePath, env),
  ]);
  return summarizeBackup(REPLICA_NAME, { generations, snapshots, wal });
}
