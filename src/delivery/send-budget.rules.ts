/**
 * The providers' rate limit as a budget of grants (src/README.md "The job table's invariants", "More than one process"): at most
 * `rate` provider calls in any sliding window of one second, measured at the call, whatever the number of
 * processes and restarts. Pure: the grants come from the `send_grants` table (send-budget.repo.ts), which every
 * claim reads and writes inside its own transaction, so processes sharing the database share the budget.
 *
 * A grant lets `calls` calls start at any time in `[startsAt, endsAt]` (a worker waits for `startsAt` and gives
 * its deliveries back unsent after `endsAt`). It counts against the rate until `endsAt + WINDOW_MS`. A new grant
 * at time `a` may take what the grants ending after `a - WINDOW_MS` leave of the rate. Why that is enough: take
 * any window W of one second and, among the grants with a call in W, the one granted last (g, at `a`). Every
 * other such grant was granted before g and ends at or after W's start, which is after `a - WINDOW_MS` (g has a
 * call in W, so W starts less than a second before `a`): g's check counted them all, so W holds at most `rate`
 * calls. Nothing depends on the order of the start times, so grants made ahead of time by other processes are
 * counted the same way.
 */

/** The length of the window the rate is measured over. */
export const WINDOW_MS = 1000;

/**
 * How late after its start a grant's calls may still be made (the worker's timer, its event loop and the clock
 * tick between the check and the call). A batch later than this is not sent but given back to the queue. Each
 * grant holds the budget for `WINDOW_MS + CALL_GRACE_MS`, so a channel sending flat out reaches `rate` calls
 * per 1,025 ms: 2.4 % under the provider's limit, the price of never going over it.
 */
export const CALL_GRACE_MS = 25;

/**
 * Time a batch's window grows by per call: starting a provider call costs CPU on the one thread (the AWS SDK
 * builds and signs the request before its first await, about 0.5-1 ms here), so a batch of 100 calls needs
 * about 100 ms to start them all. Without it a big batch (rates lifted) ran past a fixed 25 ms window and was
 * given back again and again.
 */
export const CALL_START_MS = 2;

/** How long after its start a grant of `calls` calls may still start them. */
export const callWindowMs = (calls: number): number => CALL_GRACE_MS + calls * CALL_START_MS;

/** A grant as the budget reads it: `calls` calls that start no later than `endsAt`. */
export interface GrantUse {
  endsAt: number;
  calls: number;
}

/** Calls that may still be granted to start at `at`: the rate minus the grants ending after `at - WINDOW_MS`. */
export function freeCalls(grants: readonly GrantUse[], rate: number, at: number): number {
  let used = 0;
  for (const g of grants) if (g.endsAt > at - WINDOW_MS) used += g.calls;
  return Math.max(0, rate - used);
}

/**
 * The earliest time at or after `from` at which at least one call may be granted: when enough grants have
 * ended a window ago. `from` itself when a call is free then.
 */
export function nextFreeAt(grants: readonly GrantUse[], rate: number, from: number): number {
  const live = grants.filter((g) => g.endsAt > from - WINDOW_MS).sort((a, b) => a.endsAt - b.endsAt);
  let used = live.reduce((sum, g) => sum + g.calls, 0);
  if (used < rate) return from;
  for (const g of live) {
    used -= g.calls;
    if (used < rate) return g.endsAt + WINDOW_MS;
  }
  return from; // unreachable: once every grant has ended, nothing is used
}

/** What one claim may take. */
export interface SendPlan {
  /** Calls granted (0 when the budget is spent at `startsAt`). */
  calls: number;
  /** The earliest time the calls may start. */
  startsAt: number;
  /** The latest time they may start. */
  endsAt: number;
}

/**
 * The grant a claim may take for up to `wanted` calls starting at `at` (never earlier: the claim's own time plus
 * the worker's lead, see channel-worker.ts): as many as are free then, or none.
 */
export function planSends(grants: readonly GrantUse[], rate: number, wanted: number, at: number): SendPlan {
  const calls = Math.min(Math.max(0, wanted), freeCalls(grants, rate, at));
  return { calls, startsAt: at, endsAt: at + callWindowMs(calls) };
}
