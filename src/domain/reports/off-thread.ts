/**
 * Runs read tasks that cannot be index-bounded (reports, stats) off the server's thread: on a local SQLite file
 * the driver is synchronous, so a 300 ms aggregate would stall every request for 300 ms; on the read Worker it
 * only costs that Worker's thread. A remote database (libsql://, http(s)://) answers over the network, which
 * already yields, so tasks run in-thread there.
 *
 * One Worker per process, started on first use, unreferenced (it never keeps the process alive) and stopped after
 * {@link IDLE_MS} without work, so an idle server holds no second thread. A Worker that dies fails the tasks it
 * held; the next task starts a new one.
 */
import { AppError, type ErrorCode } from "../../errors.ts";
import { type ReadSource, type ReadTask, type ReadTaskResult, runReadTask } from "./read-tasks.ts";
import type { ReadRequest, ReadResponse } from "./read-worker.ts";

/** How long an idle Worker is kept. */
export const IDLE_MS = 30_000;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function failAll(error: unknown) {
  for (const p of pending.values()) p.reject(error);
  pending.clear();
}

function stop() {
  worker?.terminate();
  worker = null;
}

function start(): Worker {
  const w = new Worker(new URL("./read-worker.ts", import.meta.url));
  w.unref();
  w.onmessage = (event: MessageEvent<ReadResponse>) => {
    const response = event.data;
    const p = pending.get(response.id);
    if (!p) return;
    pending.delete(response.id);
    if (response.ok) p.resolve(response.result);
    else {
      const { message, code, extras } = response.error;
      p.reject(code ? new AppError(code as ErrorCode, message, extras) : new Error(message));
    }
    if (pending.size === 0) idleTimer = setTimeout(stop, IDLE_MS);
    idleTimer?.unref?.();
  };
  w.onerror = (event) => {
    if (worker === w) worker = null;
    failAll(new Error(`read worker failed: ${event.message}`));
  };
  return w;
}

/** Runs `task` on the read Worker (local files) or in-thread (remote databases), with the same code either way. */
export function runOffThread<T extends ReadTask>(source: ReadSource, task: T): Promise<ReadTaskResult<T>> {
  if (!source.db.isLocalFile) return runReadTask(source, task);
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  worker ??= start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    worker?.postMessage({ id, config: source.config, task } satisfies ReadRequest);
  });
}
