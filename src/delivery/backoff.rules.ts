/** Retry timing: exponential backoff with full jitter. Pure; the randomness is injected. */

/** Backoff settings (HERALD_RETRY_BASE_MS, HERALD_RETRY_CAP_MS). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/**
 * Delay before retrying after failed attempt number `attempt` (1-based): a uniform draw from
 * `[0, min(cap, base · 2^(attempt-1)))`. Full jitter spreads a burst of failures (a provider outage) over the
 * whole window instead of bringing them all back at the same instant. `random` returns values in [0, 1).
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
