import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** litestream.yml at the repository root: the one configuration every Litestream command here uses. */
export const LITESTREAM_CONFIG = join(import.meta.dir, "../../litestream.yml");

/**
 * The Litestream binary shipped by `@flydotio/litestream-<platform>-<arch>`. Called directly, not through the
 * package's `litestream` wrapper: the wrapper always exits 0 and does not forward SIGTERM.
 */
export function litestreamBinary(): string {
  const specifier = `@flydotio/litestream-${process.platform}-${process.arch}/litestream`;
  let path: string;
  try {
    path = fileURLToPath(import.meta.resolve(specifier));
  } catch {
    throw new Error(`Litestream binary not found (${specifier}); run 'npm install' (it is a dependency)`);
  }
  if (!existsSync(path)) throw new Error(`Litestream binary not found at ${path}; run 'npm install'`);
  return path;
}

/** What a finished litestream command printed. */
export interface LitestreamResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `litestream <args>` with litestream.yml and `env` (the variables from `litestreamEnv` on top of the
 * caller's environment), and waits for it.
 */
export async function runLitestream(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<LitestreamResult> {
  const proc = Bun.spawn([litestreamBinary(), command, "-config", LITESTREAM_CONFIG, ...args], {
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** Thrown when a litestream command fails; carries its last log line. */
export class LitestreamError extends Error {
  constructor(command: string, result: LitestreamResult) {
    super(`litestream ${command} failed (exit ${result.exitCode}): ${lastLogMessage(result)}`);
    this.name = "LitestreamError";
  }
}

/** Litestream logs `time=… level=ERROR msg="failed to run" error="…"`; the error text is what people need. */
function lastLogMessage(result: LitestreamResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split("\n").filter((l) => l.trim() !== "");
  const last = lines.findLast((l) => l.includes("level=ERROR")) ?? lines.at(-1) ?? "";
  const quoted = /error="((?:[^"\\]|\\.)*)"/.exec(last)?.[1];
  return quoted === undefined ? last : quoted.replaceAll("\\n", " / ").replaceAll('\\"', '"');
}

/** Options for {@link restoreFromReplica}. */
export interface RestoreOptions {
  /** The database as litestream.yml names it (HERALD_DB_PATH): selects the replica. */
  databasePath: string;
  /** Where to write the restored file (default: `databasePath`). Litestream refuses an existing file. */
  outputPath?: string;
  /** Restore the state at this time (point in time) instead of the latest. */
  timestamp?: Date;
  /** Succeed without restoring when the replica holds no backup (first start). */
  ifReplicaExists?: boolean;
  /** Succeed without restoring when the output file already exists (every start but the first). */
  ifDbNotExists?: boolean;
}

/**
 * `litestream restore`: rebuilds the database from the latest snapshot plus the WAL after it. Litestream
 * restores into `<output>.tmp` and renames it; the `.tmp-wal`/`.tmp-shm` files it leaves are removed here.
 * @throws LitestreamError when there is no backup (unless `ifReplicaExists`) or the replica cannot be read.
 */
export async function restoreFromReplica(
  options: RestoreOptions,
  env: Record<string, string | undefined>,
): Promise<void> {
  const output = options.outputPath ?? options.databasePath;
  const args = [
    ...(options.outputPath ? ["-o", options.outputPath] : []),
    ...(options.timestamp ? ["-timestamp", options.timestamp.toISOString()] : []),
    ...(options.ifReplicaExists ? ["-if-replica-exists"] : []),
    ...(options.ifDbNotExists ? ["-if-db-not-exists"] : []),
    options.databasePath,
  ];
  const result = await runLitestream("restore", args, env);
  for (const leftover of [`${output}.tmp-wal`, `${output}.tmp-shm`]) rmSync(leftover, { force: true });
  if (result.exitCode !== 0) throw new LitestreamError("restore", result);
}

/**
 * Parses the whitespace-aligned tables `litestream generations|snapshots|wal` print (a header row, then one
 * row per item; no cell contains spaces) into records keyed by header.
 */
export function parseLitestreamTable(text: string): Record<string, string>[] {
  const rows = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("time="))
    .map((line) => line.split(/\s+/));
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** Runs a listing command (`generations`, `snapshots`, `wal`) for the database and parses its table. */
export async function listFromReplica(
  command: "generations" | "snapshots" | "wal",
  databasePath: string,
  env: Record<string, string | undefined>,
): Promise<Record<string, string>[]> {
  const result = await runLitestream(command, [databasePath], env);
  if (result.exitCode !== 0) throw new LitestreamError(command, result);
  return parseLitestreamTable(result.stdout);
}
