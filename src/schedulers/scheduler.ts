/**
 * Interval schedulers: a named tick run every `intervalMs` inside the process. A tick must be idempotent and
 * keyed by its time window (see `scheduler-runs.repo.ts`), so a restart, a second process or a manual
 * `runOnce` never does a window's work twice. Ticks never overlap: the next one is scheduled after the last ends.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { ErrorTracker } from "../observability/error-tracker.ts";

/** What a tick reports: small counts for health and logs (e.g. `{ digests: 3 }`). */
export type TickResult = Record<string, number | string | boolean | null>;

/** A scheduler's state for `/health/ready` and metrics. */
export interface SchedulerStatus {
  name: string;
  running: boolean;
  intervalMs: number;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastResult: TickResult | null;
}

/** One interval loop. */
export interface Scheduler {
  readonly name: string;
  /** Starts the loop; the first tick runs after `initialDelayMs` (default: at once). Idempotent. */
  start(): void;
  /** Stops the loop and waits for a tick in progress to finish. */
  stop(): Promise<void>;
  /** Runs one tick now (tests, `herald` commands), recording its outcome like a scheduled one. Throws its error. */
  runOnce(): Promise<TickResult>;
  status(): SchedulerStatus;
}

/** What a scheduler reports to. */
export interface SchedulerContext {
  clock: Clock;
  logger: Logger;
  errors: ErrorTracker;
}

/** A scheduler running `tick` every `intervalMs`. */
export function every(
  name: string,
  intervalMs: number,
  tick: () => Promise<TickResult>,
  ctx: SchedulerContext,
  options: { initialDelayMs?: number } = {},
): Scheduler {
  let running = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let current: Promise<unknown> | null = null;
  const state: Omit<SchedulerStatus, "name" | "running" | "intervalMs"> = {
    lastRunAt: null,
    lastSuccessAt: null,
    lastError: null,
    lastResult: null,
  };

  async function runOnce(): Promise<TickResult> {
    // A manual run while a scheduled one is in progress waits for it instead of overlapping it.
    while (current) await current.catch(() => {});
    const run = (async () => {
      try {
        const result = await tick();
        state.lastSuccessAt = ctx.clock.now();
        state.lastError = null;
        state.lastResult = result;
        return result;
      } catch (error) {
        state.lastError = (error as Error)?.message ?? String(error);
        throw error;
      } finally {
        state.lastRunAt = ctx.clock.now();
      }
    })();
    current = run;
    try {
      return await run;
    } finally {
      current = null;
    }
  }

  function schedule(delay: number): void {
    if (!running) return;
    timer = setTimeout(async () => {
      timer = null;
      try {
        const result = await runOnce();
        if (Object.values(result).some((v) => typeof v === "number" && v > 0))
          ctx.logger.info("scheduler ran", { scheduler: name, ...result });
      } catch (error) {
        ctx.logger.error("scheduler tick failed", {
          scheduler: name,
          error: (error as Error)?.name,
          message: (error as Error)?.message,
        });
        ctx.errors.capture(error, { scheduler: name });
      }
      schedule(intervalMs);
    }, delay);
  }

  return {
    name,
    start() {
      if (running) return;
      running = true;
      schedule(options.initialDelayMs ?? 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await current?.catch(() => {});
    },
    runOnce,
    status: () => ({ name, running, intervalMs, ...state }),
  };
}
