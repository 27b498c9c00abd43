/**
 * Every interval scheduler the server runs besides the delivery engine's sweeper (which lives with the
 * workers it serves). Adding a scheduler is one entry here.
 */
import type { Deps } from "../deps.ts";
import type { Scheduler } from "./scheduler.ts";

/** The schedulers of one process (not started: the server starts them after it listens, tests run them by hand). */
export function createSchedulers(_deps: Omit<Deps, "schedulers">): Scheduler[] {
  return [];
}
