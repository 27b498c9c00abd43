/**
 * Claims of scheduler windows. A tick that must run once per window (the weekly retention, an hourly report)
 * inserts `(scheduler, window)` first: the insert succeeds for exactly one caller, across restarts and processes.
 */
import { and, desc, eq } from "drizzle-orm";
import { schedulerRuns } from "../../db/schema.ts";
import type { Queryable, Tx } from "../db/database.ts";

/** Claims `window` for `scheduler`; false when it was already claimed (the work is done or in progress). */
export async function claimWindow(tx: Tx, scheduler: string, window: string, now: number): Promise<boolean> {
  const inserted = await tx
    .insert(schedulerRuns)
    .values({ scheduler, window, startedAt: now })
    .onConflictDoNothing()
    .returning({ window: schedulerRuns.window });
  return inserted.length > 0;
}

/** Records how a claimed window's run ended. */
export async function finishWindow(
  tx: Tx,
  scheduler: string,
  window: string,
  now: number,
  outcome: { result?: Record<string, unknown>; error?: string },
): Promise<void> {
  await tx
    .update(schedulerRuns)
    .set({ finishedAt: now, result: outcome.result ?? null, error: outcome.error ?? null })
    .where(and(eq(schedulerRuns.scheduler, scheduler), eq(schedulerRuns.window, window)));
}

/** The most recent runs of one scheduler, newest first. */
export async function recentRuns(q: Queryable, scheduler: string, limit = 10) {
  return q
    .select()
    .from(schedulerRuns)
    .where(eq(schedulerRuns.scheduler, scheduler))
    .orderBy(desc(schedulerRuns.startedAt))
    .limit(limit);
}
