/**
 * The retention scheduler: checks every HERALD_RETENTION_CHECK_MS whether this period's run (an ISO week by
 * default) is still to do, and if so claims the window and runs it. The claim is an insert keyed by the window,
 * so restarts, manual runs and a second process never run one window twice.
 */
import type { Deps } from "../deps.ts";
import { retentionWindow } from "../domain/retention/retention.rules.ts";
import { RETENTION_SCHEDULER, runRetention } from "../domain/retention/retention.service.ts";
import { every, type Scheduler, type TickResult } from "./scheduler.ts";
import { claimWindow, finishWindow } from "./scheduler-runs.repo.ts";

type RetentionDeps = Pick<Deps, "db" | "config" | "clock" | "logger" | "errors">;

/**
 * One retention check: runs the current window's retention unless it was already claimed. A run that fails
 * records its error on the window and is not retried until the next window (the deletes it did stand).
 */
export async function retentionTick(deps: RetentionDeps): Promise<TickResult> {
  const now = deps.clock.now();
  const window = retentionWindow(deps.config.HERALD_RETENTION_PERIOD, now);
  const claimed = await deps.db.write((tx) => claimWindow(tx, RETENTION_SCHEDULER, window, now));
  if (!claimed) return { window, ran: false };
  try {
    const result = await runRetention(deps, now);
    await deps.db.write((tx) => finishWindow(tx, RETENTION_SCHEDULER, window, deps.clock.now(), { result }));
    return { window, ran: true, ...result };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    await deps.db.write((tx) =>
      finishWindow(tx, RETENTION_SCHEDULER, window, deps.clock.now(), { error: message }),
    );
    throw error;
  }
}

/** The `retention` scheduler. */
export function retentionScheduler(deps: RetentionDeps): Scheduler {
  return every(RETENTION_SCHEDULER, deps.config.HERALD_RETENTION_CHECK_MS, () => retentionTick(deps), deps);
}
