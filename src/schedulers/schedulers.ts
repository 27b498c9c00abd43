/**
 * Every interval scheduler the server runs besides the delivery engine's sweeper (which lives with the
 * workers it serves). Adding a scheduler is one entry here.
 */
import type { ServerDeps } from "../server-deps.ts";
import { alertsScheduler } from "./alerts.scheduler.ts";
import { digestScheduler } from "./digest.scheduler.ts";
import { retentionScheduler } from "./retention.scheduler.ts";
import type { Scheduler } from "./scheduler.ts";

/** The schedulers of one process (not started: the server starts them after it listens, tests run them by hand). */
export function createSchedulers(
  deps: Omit<ServerDeps, "schedulers" | "loopLag" | "inboxFeed">,
): Scheduler[] {
  return [digestScheduler(deps), retentionScheduler(deps), alertsScheduler(deps)];
}
