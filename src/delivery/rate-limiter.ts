/**
 * A sliding-window rate limiter for provider calls: at most `ratePerSecond` grants in any window
 * `[t, t + 1000 ms)`, not merely on average. It keeps the times of the last `ratePerSecond` grants in a ring;
 * a slot is free again one second after its grant. Time comes from the injected clock, so tests step it.
 */
import type { Clock } from "../clock.ts";

/** The length of the window the rate is measured over. */
export const WINDOW_MS = 1000;

/** A channel's token bucket (SES and SNS enforce per-second rates). */
export interface RateLimiter {
  /** Grants that could be taken now, counted up to `upTo` (counting is linear in the answer). */
  available(upTo?: number): number;
  /** Takes up to `n` grants now and returns how many were taken. */
  take(n: number): number;
  /** After the provider said "slow down": no grants until a full window has passed. */
  drain(): void;
  /** The earliest time at which at least one grant is free (now, if one is). */
  nextFreeAt(): number;
}

/** A limiter allowing `ratePerSecond` grants in any one-second window. */
export function createRateLimiter(ratePerSecond: number, clock: Clock): RateLimiter {
  if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1) throw new RangeError("ratePerSecond must be a positive integer");
  // Grant times in the order given; `head` is the oldest. Unused slots hold -Infinity (free).
  const ring = new Float64Array(ratePerSecond).fill(Number.NEGATIVE_INFINITY);
  let head = 0;

  const isFree = (slot: number, now: number) => (ring[slot] as number) <= now - WINDOW_MS;

  function available(now: number, max = ratePerSecond): number {
    let count = 0;
    while (count < max && isFree((head + count) % ratePerSecond, now)) count++;
    return count;
  }

  return {
    available: (upTo = ratePerSecond) => available(clock.now(), Math.min(upTo, ratePerSecond)),
    take(n) {
      const now = clock.now();
      const granted = available(now, Math.max(0, Math.min(n, ratePerSecond)));
      for (let i = 0; i < granted; i++) {
        ring[head] = now;
        head = (head + 1) % ratePerSecond;
      }
      return granted;
    },
    drain() {
      ring.fill(clock.now());
    },
    nextFreeAt() {
      const now = clock.now();
      return Math.max(now, (ring[head] as number) + WINDOW_MS);
    },
  };
}
