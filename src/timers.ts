/**
 * Timers as an effect: loops that sleep (the delivery workers, the event-loop lag monitor) take them from their
 * context, so the server uses `setTimeout` and tests fire them by hand instead of waiting.
 */

/** Sets and clears one-shot timers. */
export interface Timers {
  /** Calls `callback` once after `ms`; returns a handle for `clear`. */
  set(callback: () => void, ms: number): unknown;
  /** Cancels a timer that has not fired yet. */
  clear(handle: unknown): void;
}

/** `setTimeout` and `clearTimeout`. */
export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
