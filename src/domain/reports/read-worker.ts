/**
 * The read Worker: runs {@link ReadTask}s (reports, stats) on its own thread with its own read connection, so a
 * query over a million rows never holds the server's event loop. It opens each database it is asked about once
 * (`openDatabase({ url })`, only `.read` is used) and keeps the few most recent open.
 */
import { type Caches, createCaches } from "../../caches.ts";
import type { Config } from "../../config.ts";
import { type Database, openDatabase } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { type ReadTask, runReadTask } from "./read-tasks.ts";

declare const self: Worker;

/** A request from the server's thread. */
export interface ReadRequest {
  id: number;
  config: Config;
  task: ReadTask;
}

/** The answer: the task's result, or its error as plain data. */
export type ReadResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; code?: string; extras?: Record<string, unknown> } };

const OPEN_DATABASES = 4;
/** The Worker's own connections, each with its own read caches (the server's live on another thread). */
const databases = new Map<string, Promise<{ db: Database; caches: Caches }>>();

function database(url: string): Promise<{ db: Database; caches: Caches }> {
  const open = databases.get(url);
  if (open) {
    databases.delete(url);
    databases.set(url, open);
    return open;
  }
  const opened = openDatabase({ url }).then((db) => ({ db, caches: createCaches() }));
  databases.set(url, opened);
  for (const [oldest, db] of databases) {
    if (databases.size <= OPEN_DATABASES) break;
    databases.delete(oldest);
    db.then((d) => d.db.close()).catch(() => {});
  }
  return opened;
}

self.onmessage = async (event: MessageEvent<ReadRequest>) => {
  const { id, config, task } = event.data;
  try {
    const { db, caches } = await database(config.DATABASE_URL);
    const result = await runReadTask({ db, config, caches }, task);
    self.postMessage({ id, ok: true, result } satisfies ReadResponse);
  } catch (error) {
    const e = error as Error;
    const response: ReadResponse = {
      id,
      ok: false,
      error:
        error instanceof AppError
          ? { message: e.message, code: error.code, extras: error.extras }
          : { message: e?.message ?? String(error) },
    };
    self.postMessage(response);
  }
};
