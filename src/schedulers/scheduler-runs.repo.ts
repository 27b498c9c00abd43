/**
 * Claims of scheduler windows. A tick that must run once per window (the weekly retention, an hourly report)
 * inserts `(scheduler, window)` first: the insert succeeds for exactly one caller, across restarts and processes.
 */
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { schedulerRuns } from "../../db/schema.ts";
import type { Queryable, Tx } from "../db/queryable.ts";

/** A claimed window that has not finished after this long was abandoned (the process died mid-run). */
export const STALE_CLAIM_MS = 6 * 3_600_000;

/**
 * Claims `window` for `scheduler`; false when it was already claimed (the work is done or in progress). A claim
 * left unfinished for {@link STALE_CLAIM_MS} is taken over, so a crash mid-run does not skip the window's work.
 */
export async function claimWindow(tx: Tx, scheduler: string, window: string, now: number): Promise<boolean> {
  const inserted = await tx
    .insert(schedulerRuns)
    .values({ scheduler, window, startedAt: now })
    .onConflictDoNothing()
    .returning({ window: schedulerRuns.window });
  if (inserted.length > 0) return true;
  const retaken = await tx
    .update(schedulerRuns)
    .set({ startedAt: now, error: null })
    .where(
      and(
        eq(schedulerRuns.scheduler, scheduler),
        eq(schedulerRuns.window, window),
        isNull(schedulerRuns.finishedAt),
        lt(schedulerRuns.startedAt, now - STALE_CLAIM_MS),
      ),
    )
    .returning({ window: schedulerRuns.window });
  return retaken.length > 0;
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
