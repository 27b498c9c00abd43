/**
 * Off-thread WAL checkpoints for a long-running server (see checkpoint.worker.ts for why). The writer turns
 * SQLite's automatic checkpoint off while this runs: that checkpoint would run inside a COMMIT on the event
 * loop, fsyncs included (measured here: 10-45 ms stalls every few MB of WAL).
 */

/** How often the checkpointer looks at the WAL; a run costs nothing when the WAL did not grow. */
export const CHECKPOINT_INTERVAL_MS = 1000;

/** A running checkpointer thread. */
export interface Checkpointer {
  /** Frames the last run copied, and runs that failed (for health and tests). */
  readonly state: {
    runs: number;
    lastCheckpointed: number;
    lastWalFrames: number;
    errors: number;
    lastError: string | null;
  };
  /** Runs a checkpoint now and resolves when it finished (tests; the interval does the rest). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a checkpointer thread for the database file at `path`. */
export async function startCheckpointer(
  path: string,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Promise<Checkpointer> {
  const worker = new Worker(new URL("./checkpoint.worker.ts", import.meta.url).href);
  const state = {
    runs: 0,
    lastCheckpointed: 0,
    lastWalFrames: 0,
    errors: 0,
    lastError: null as string | null,
  };
  let onStopped: (() => void) | null = null;
  const ran: (() => void)[] = [];
  const started = new Promise<void>((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(`checkpointer failed: ${event.message}`));
    worker.onmessage = (event: MessageEvent) => {
      const data = event.data as
        | "started"
        | "stopped"
        | "ran"
        | { checkpointed: number; walFrames: number }
        | { error: string };
      if (data === "started") return resolve();
      if (data === "ran") return ran.shift()?.();
      if (data === "stopped") return onStopped?.();
      if ("error" in data) {
        state.errors++;
        state.lastError = data.error;
        return;
      }
      state.runs++;
      state.lastCheckpointed = data.checkpointed;
      state.lastWalFrames = data.walFrames;
    };
  });
  worker.postMessage({ path, intervalMs });
  await started;
  // The thread must not keep a finished process alive.
  worker.unref();
  return {
    state,
    runNow() {
      return new Promise<void>((resolve) => {
        ran.push(resolve);
        worker.postMessage("now");
      });
    },
    async stop() {
      const stopped = new Promise<void>((resolve) => {
        onStopped = resolve;
      });
      worker.postMessage("stop");
      await stopped;
      worker.terminate();
    },
  };
}
