/**
 * The checkpointer's thread: copies committed WAL frames into the database file with PASSIVE checkpoints on
 * its own connection, so the fsyncs a checkpoint does (WAL, then the database file) never block the event
 * loop. PASSIVE never waits for readers or writers and never truncates or restarts the WAL itself, so it is
 * safe beside Litestream (which must be the only one to RESTART/TRUNCATE while it replicates).
 * Messages in: { path, intervalMs } to start, "now" for a run at once (tests, shutdown), "stop" to close.
 * Messages out: { busy, walFrames, checkpointed } after each run that had work, { error } when a run failed,
 * "ran" after a "now".
 */
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let lastWalSize = -1;
let dbPath = "";

function checkpoint(path: string) {
  if (!db) return;
  let size: number;
  try {
    size = statSync(`${path}-wal`).size;
  } catch {
    return; // no WAL yet
  }
  // Idle: nothing written since the last run, nothing to copy.
  if (size === lastWalSize) return;
  lastWalSize = size;
  try {
    const row = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").values()[0] as
      | [number, number, number]
      | undefined;
    if (row) postMessage({ busy: row[0], walFrames: row[1], checkpointed: row[2] });
  } catch (error) {
    postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = (event: MessageEvent) => {
  const message = event.data as { path: string; intervalMs: number } | "stop" | "now";
  if (message === "now") {
    lastWalSize = -1;
    checkpoint(dbPath);
    postMessage("ran");
    return;
  }
  if (message === "stop") {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    postMessage("stopped");
    return;
  }
  dbPath = message.path;
  db = new Database(message.path, { readwrite: true });
  db.run("PRAGMA busy_timeout=5000");
  // The checkpoint's own syncs: the database file must be on disk before the WAL may be reused.
  db.run("PRAGMA synchronous=FULL");
  timer = setInterval(() => checkpoint(message.path), message.intervalMs);
  postMessage("started");
};
