import { mkdirSync, openSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Client } from "@libsql/client";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { type Checkpointer, startCheckpointer } from "./checkpointer.ts";
import { type NativeClient, openNativeClient, type StatementCacheStats } from "./native-client.ts";
import { registerTransactionRoot } from "./prepared.ts";
import type { Db, Tx } from "./queryable.ts";
import { type Fsync, type WalSync, walSync } from "./wal-sync.ts";

/**
 * One read-only descriptor per `-shm` file, opened once and never closed while the process lives. Closing any
 * descriptor of a file drops every POSIX lock this process holds on it, SQLite's own included: closing ours
 * while a connection is open let the shared-memory locks go, and Litestream then lost track of the WAL (a
 * point-in-time restore found no backup). The operating system closes it at exit.
 */
const shmDescriptors = new Map<string, number>();
function shmDescriptor(path: string): number {
  let fd = shmDescriptors.get(path);
  if (fd === undefined) {
    fd = openSync(`${path}-shm`, "r");
    shmDescriptors.set(path, fd);
  }
  return fd;
}

/** Reads in flight at once on a remote database's reader client. */
const REMOTE_READ_CONCURRENCY = 32;

/** Options for {@link openDatabase}. */
export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** Longest a batch keeps retrying after SQLITE_BUSY before its callers get an error. */
  busyRetryMs?: number;
  /** Most units of work committed together in one transaction. */
  maxBatch?: number;
  /** Most units of work waiting for the writer; beyond it writes are refused at once (admission control). */
  maxQueued?: number;
  /** WAL frames beyond which a background checkpoint runs before the next commit ({@link CHECKPOINT_WAL_FRAMES}). */
  checkpointWalFrames?: number;
  onBusy?: (info: { attempt: number; waitedMs: number }) => void;
  /** How the WAL is flushed before writes are acknowledged (tests observe or fail it); fsync by default. */
  fsync?: Fsync;
}

/**
 * The database: a read connection and a group-committing writer.
 *
 * Why two clients: all writes go through one connection in one in-process queue, so concurrent requests'
 * rows share a transaction and one fsync (throughput comes from batching, not from weaker durability).
 * Reads use their own connection, opened `query_only`, so they never see another request's uncommitted rows
 * and can never write by accident.
 *
 * Durability on a local file: a batch's writers are resolved only after the WAL holding its COMMIT is fsynced
 * (wal-sync.ts), the guarantee `synchronous=FULL` gives, but with the fsync on a pool thread instead of inside
 * COMMIT on the event loop; the next batch commits meanwhile. If an fsync ever fails, the database refuses
 * every later write (fail-stop): after a failed fsync the kernel may have dropped the dirty pages, so no later
 * success can be trusted to cover them.
 */
export interface Database {
  /** For selects only (the connection refuses writes). */
  readonly read: Db;
  /**
   * Runs `work` inside the next group commit and resolves once its transaction is durable. If `work` throws,
   * only its changes are undone and the error is returned to this caller. `work` may run more than once (after
   * SQLITE_BUSY, or when another job in its batch failed), so it must only touch the database.
   */
  write<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies the committed migrations under db/migrations. */
  migrate(): Promise<void>;
  /** Prepared-statement cache counters of the reader and writer connections (local files only). */
  statementCaches(): { reader: StatementCacheStats; writer: StatementCacheStats } | null;
  /** The PRAGMA values on the reader and writer connections (for health checks and tests). */
  pragmas(): Promise<{ reader: ConnectionPragmas; writer: ConnectionPragmas }>;
  /**
   * Moves WAL checkpoints to a background thread (long-running servers; see checkpointer.ts). Without it the
   * writer keeps SQLite's automatic checkpoint, which is fine for short-lived commands and tests.
   */
  startBackgroundCheckpoints(): Promise<void>;
  /** The background checkpointer, when it runs. */
  checkpointer(): Checkpointer | null;
  /** Waits for queued writes and their durability, then closes both connections. */
  close(): Promise<void>;
  readonly isLocalFile: boolean;
}

/** The settings every connection must have. */
export interface ConnectionPragmas {
  journalMode: string;
  synchronous: number;
  foreignKeys: number;
  busyTimeout: number;
}

/** Busy timeout on every connection. Below 5 s libSQL can lose acknowledged writes after SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

const MIGRATIONS = join(import.meta.dir, "../../db/migrations");

/** How many times a migration that raced another process's is run again (see `migrate`). */
const MIGRATE_ATTEMPTS = 5;

/** True for SQLITE_BUSY / SQLITE_LOCKED in any of the shapes libSQL reports them. */
export function isBusyError(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && "code" in e) {
      const code = String((e as { code?: unknown }).code ?? "");
      // sqld waits for its write lock on the server and, after its transaction timeout (5 s), takes the lock back
      // from a transaction that held it too long while another waited: TRANSACTION_TIMEOUT is a remote database's
      // busy, to be retried whole on a fresh connection, not blamed on the job that happened to be running.
      if (
        code.startsWith("SQLITE_BUSY") ||
        code.startsWith("SQLITE_LOCKED") ||
        code === "TRANSACTION_TIMEOUT"
      )
        return true;
    }
    if (e instanceof Error && /database is locked|SQLITE_BUSY/i.test(e.message)) return true;
  }
  return false;
}

/**
 * True when a remote database refused the client's credentials (no token, a wrong or expired one): a
 * configuration error that no retry or restart fixes.
 */
export function isAuthError(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (code.startsWith("AUTH_") || /Authentication failed|Unauthorized/.test(String((e as Error).message)))
      return true;
  }
  return false;
}

/**
 * WAL frames (pages) at which the writer lets a checkpoint finish before its next commit (see drain): 16 MB of
 * 4 KB pages. SQLite's own autocheckpoint default is 1,000 pages; a larger WAL means fewer pauses.
 */
export const CHECKPOINT_WAL_FRAMES = 4096;

/**
 * Longest a remote database's batch takes new jobs. Every statement there is a round trip, so a batch without a
 * bound (256 jobs on a 10 ms link) outlived sqld's 5 s transaction timeout and lost its lock again and again.
 */
export const REMOTE_BATCH_MS = 1000;

/** Longest a group-commit batch takes new jobs (see commit()): the thread's budget for one synchronous step. */
export const BATCH_BUDGET_MS = 8;

/** Default {@link DatabaseOptions.maxQueued}: in normal operation the queue holds a batch or two (tens). */
export const MAX_QUEUED_WRITES = 2000;

/**
 * Thrown at once to a writer when {@link MAX_QUEUED_WRITES} units already wait: under overload the service
 * answers 503 quickly instead of holding every request (and its memory) until the writer catches up.
 */
export class DatabaseOverloadedError extends Error {
  constructor(queued: number) {
    super(`${queued} writes are already waiting for the database`);
    this.name = "DatabaseOverloadedError";
  }
}

/** Thrown to writers once an fsync of the WAL failed: what was committed may not be on disk. */
export class DatabaseDurabilityError extends Error {
  constructor(cause: unknown) {
    super("the write-ahead log could not be flushed to disk; writes are refused until Herald restarts", {
      cause,
    });
    this.name = "DatabaseDurabilityError";
  }
}

/** Thrown to writers when the database stayed locked by another process for longer than `busyRetryMs`. */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number, cause: unknown) {
    super(`database stayed locked for ${waitedMs} ms`, { cause });
    this.name = "DatabaseBusyError";
  }
}

interface Job {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Opens (creating the directory of a local file if needed) the database at `url`. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const isLocalFile = options.url.startsWith("file:");
  let connect: (role: "reader" | "writer") => Client;
  let path = "";
  if (isLocalFile) {
    path = options.url.slice("file:".length).replace(/^\/\/(localhost)?/, "");
    // The reader and the writer are two connections: in memory they would be two different databases.
    if (path === ":memory:" || path === "")
      throw new Error(
        "DATABASE_URL must name a file (an in-memory database cannot be shared by the reader and the writer)",
      );
    mkdirSync(dirname(path), { recursive: true });
    // Local files: one native connection each with a prepared-statement cache (see native-client.ts).
    connect = () => openNativeClient({ path, timeoutMs: BUSY_TIMEOUT_MS });
  } else {
    // Loaded only for a remote database: its node entry also loads the libsql native addon.
    const { createClient } = await import("@libsql/client");
    connect = (role: "reader" | "writer") =>
      createClient({
        url: options.url,
        authToken: options.authToken,
        timeout: BUSY_TIMEOUT_MS,
        // The writer is serialized by our queue anyway. Remote reads are round trips that wait on the network,
        // not on this thread, so many of them are in flight at once (the client's own default is 20).
        concurrency: role === "writer" ? 1 : REMOTE_READ_CONCURRENCY,
      });
  }
  const writerClient = connect("writer");
  const readerClient = connect("reader");

  async function configure(client: Client, role: "reader" | "writer") {
    if (!isLocalFile) return;
    if (role === "writer") await client.execute("PRAGMA journal_mode=WAL");
    // NORMAL on the writer: COMMIT writes the WAL without fsync, and the group commit fsyncs it off the thread
    // before anyone is told (wal-sync.ts). The reader writes nothing; FULL there only documents the intent.
    await client.execute(`PRAGMA synchronous=${role === "writer" ? "NORMAL" : "FULL"}`);
    if (role === "writer" && checkpointer) await client.execute("PRAGMA wal_autocheckpoint=0");
    await client.execute("PRAGMA foreign_keys=ON");
    await client.execute(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`);
    if (role === "reader") await client.execute("PRAGMA query_only=ON");
  }
  let checkpointer: Checkpointer | null = null;
  const wal: WalSync | null = isLocalFile ? walSync(`${path}-wal`, options.fsync) : null;
  let failed: DatabaseDurabilityError | null = null;
  const syncing = new Set<Promise<void>>();
  await configure(writerClient, "writer");
  await configure(readerClient, "reader");

  const writer = drizzle(writerClient);
  const reader = drizzle(readerClient);
  const busyRetryMs = options.busyRetryMs ?? 60_000;
  const maxBatch = options.maxBatch ?? 256;
  const maxQueued = options.maxQueued ?? MAX_QUEUED_WRITES;
  const checkpointWalFrames = options.checkpointWalFrames ?? CHECKPOINT_WAL_FRAMES;

  const queue: Job[] = [];
  let draining: Promise<void> | null = null;

  /**
   * Commits `batch` in one transaction. Jobs run back to back without savepoints (they cost two statements
   * per job); when a job throws, the transaction is rolled back and the batch re-run without it, so only its
   * own changes are lost. Jobs are re-runnable by contract, so this is safe, and failures are rare.
   *
   * A batch runs synchronously on the thread (the local driver never yields), so it stops taking jobs once it
   * has run for {@link BATCH_BUDGET_MS}: the rest go back to the front of the queue for the next batch. Cheap
   * jobs still share big batches; a batch of creates (each decided inside its write) holds the thread ~8 ms.
   * A remote database's batch waits on the network, not on the thread, so it takes jobs for up to
   * {@link REMOTE_BATCH_MS}: larger transactions than locally, but well inside sqld's 5 s transaction timeout, past
   * which sqld takes the write lock back from a transaction while another process waits.
   */
  async function commit(batch: Job[]) {
    const started = Date.now();
    let pending = batch;
    for (let attempt = 1; pending.length > 0; ) {
      const values: unknown[] = [];
      let failed: { index: number; error: unknown } | null = null;
      try {
        await writer.transaction(async (tx) => {
          // Locally the transaction owns the writer's only connection: queries prepared on the writer run in it.
          if (isLocalFile) registerTransactionRoot(tx, writer);
          values.length = 0;
          const batchStart = performance.now();
          for (const [index, job] of pending.entries()) {
            if (
              index > 0 &&
              performance.now() - batchStart > (isLocalFile ? BATCH_BUDGET_MS : REMOTE_BATCH_MS)
            )
              break;
            try {
              values.push(await job.work(tx));
            } catch (error) {
              if (isBusyError(error)) throw error;
              failed = { index, error };
              throw error;
            }
          }
        });
      } catch (error) {
        if (failed !== null) {
          const { index, error: jobError } = failed as { index: number; error: unknown };
          pending[index]?.reject(jobError);
          pending = pending.filter((_, i) => i !== index);
          continue;
        }
        if (isBusyError(error)) {
          const waitedMs = Date.now() - started;
          options.onBusy?.({ attempt, waitedMs });
          // libSQL may keep a poisoned connection after BUSY and silently drop later writes: always start over
          // on a fresh connection before writing again.
          await writerClient.reconnect();
          await configure(writerClient, "writer").catch(() => {});
          if (waitedMs < busyRetryMs) {
            await Bun.sleep(Math.min(1000, 50 * attempt++));
            continue;
          }
          const busy = new DatabaseBusyError(waitedMs, error);
          for (const job of pending) job.reject(busy);
          return;
        }
        for (const job of pending) job.reject(error);
        return;
      }
      // Jobs the time budget left out wait at the front of the queue, in order.
      if (values.length < pending.length) queue.unshift(...pending.slice(values.length));
      acknowledge(pending.slice(0, values.length), values);
      return;
    }
  }

  /** Resolves a committed batch's writers once its WAL frames are on disk (the fsync runs off the thread). */
  function acknowledge(batch: Job[], values: unknown[]) {
    if (!wal) {
      for (const [i, job] of batch.entries()) job.resolve(values[i]);
      return;
    }
    const durable = wal.sync().then(
      () => {
        for (const [i, job] of batch.entries()) job.resolve(values[i]);
      },
      (error) => {
        failed ??= new DatabaseDurabilityError(error);
        for (const job of batch) job.reject(failed);
      },
    );
    syncing.add(durable);
    void durable.finally(() => syncing.delete(durable));
  }

  /**
   * libSQL's local calls are synchronous behind promises, so a commit runs entirely in microtasks and never
   * lets the event loop read new requests. Yielding one macrotask turn before each batch lets every request
   * that arrived meanwhile queue its write, which is what makes the batch (and its single fsync) shared.
   */
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  /**
   * Commits batches one after another. After each COMMIT the writer waits (without holding the thread) for that
   * batch's fsync before starting the next one: a batch committed earlier would wait for the next fsync anyway,
   * so this costs no latency, and everything that arrives during an fsync forms one bigger batch, which writes
   * each shared page (indexes, counters) to the WAL once instead of once per small batch. While commits pause
   * anyway, a WAL grown past {@link CHECKPOINT_WAL_FRAMES} is checkpointed on the background thread, so the next
   * transaction restarts the WAL from its beginning: under sustained writes a checkpoint racing the commits never
   * finds the WAL fully copied, and the WAL (and every page lookup in it) would grow without bound.
   */
  async function drain() {
    await nextTurn();
    while (queue.length > 0) {
      await commit(queue.splice(0, maxBatch));
      await Promise.all(syncing);
      if (checkpointer && walFrames() > checkpointWalFrames) await checkpointer.runNow();
      await nextTurn();
    }
    draining = null;
  }

  const header = Buffer.alloc(4);
  /**
   * Frames in the WAL now: `mxFrame` of the wal-index header (offset 16 of the `-shm` file, native byte order;
   * https://sqlite.org/walformat.html). The WAL file's size says nothing once SQLite restarted it from the
   * beginning, which is the point of the checkpoints; one 4-byte read per batch.
   */
  function walFrames(): number {
    try {
      readSync(shmDescriptor(path), header, 0, 4, 16);
      return header.readUInt32LE(0);
    } catch {
      return 0;
    }
  }

  async function pragmasOf(run: (sql: string) => Promise<Record<string, unknown> | undefined>) {
    const value = async (sql: string) => Object.values((await run(sql)) ?? {})[0];
    return {
      journalMode: String(await value("PRAGMA journal_mode")),
      synchronous: Number(await value("PRAGMA synchronous")),
      foreignKeys: Number(await value("PRAGMA foreign_keys")),
      busyTimeout: Number(await value("PRAGMA busy_timeout")),
    };
  }

  const database: Database = {
    read: reader,
    isLocalFile,
    write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      if (failed) return Promise.reject(failed);
      if (queue.length >= maxQueued) return Promise.reject(new DatabaseOverloadedError(queue.length));
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        draining ??= drain();
      });
    },
    statementCaches() {
      if (!isLocalFile) return null;
      return {
        reader: (readerClient as NativeClient).statementCache,
        writer: (writerClient as NativeClient).statementCache,
      };
    },
    async migrate() {
      // Processes that start together on one database (an `api` and a `worker`, machines of one deployment)
      // migrate it at once: the migrator reads which migrations are applied, then applies the rest in one
      // transaction, so the slower one finds the tables the faster one just created and rolls back whole.
      // Running it again then applies nothing.
      for (let attempt = 1; ; attempt++) {
        try {
          await migrate(writer, { migrationsFolder: MIGRATIONS });
          return;
        } catch (error) {
          const raced = /already exists/.test(String((error as { cause?: unknown }).cause ?? error));
          if (!raced || attempt >= MIGRATE_ATTEMPTS) throw error;
          await Bun.sleep(20 * attempt);
        }
      }
    },
    async pragmas() {
      const readerPragmas = await pragmasOf(async (sql) => (await readerClient.execute(sql)).rows[0]);
      // Read the writer's settings from inside a write transaction: that is the connection that commits.
      const writerPragmas = await database.write((tx) =>
        pragmasOf(
          async (statement) =>
            (await tx.run(sql.raw(statement))).rows[0] as Record<string, unknown> | undefined,
        ),
      );
      return { reader: readerPragmas, writer: writerPragmas };
    },
    async startBackgroundCheckpoints() {
      if (!isLocalFile || checkpointer) return;
      checkpointer = await startCheckpointer(path);
      await writerClient.execute("PRAGMA wal_autocheckpoint=0");
    },
    checkpointer() {
      return checkpointer;
    },
    async close() {
      if (draining) await draining;
      await Promise.all(syncing);
      await wal?.close();
      await checkpointer?.stop();
      writerClient.close();
      readerClient.close();
    },
  };
  return database;
}
