/**
 * Timers that fire only when a test says so, for loops that sleep (the delivery workers, the lag monitor): a test
 * sees what was armed and for how long, and fires it, instead of waiting.
 */
import type { Timers } from "../../src/timers.ts";

/** One armed timer. */
export interface ArmedTimer {
  id: number;
  ms: number;
}

/** {@link Timers} driven by hand. */
export interface ManualTimers extends Timers {
  /** Timers armed and neither fired nor cleared, oldest first. */
  pending(): ArmedTimer[];
  /** Fires the pending timer with this id (throws if there is none). */
  fire(id: number): void;
  /** Timers fired so far. */
  readonly fired: number;
}

/** Fresh manual timers. */
export function manualTimers(): ManualTimers {
  const armed = new Map<number, { ms: number; callback: () => void }>();
  let nextId = 1;
  let fired = 0;
  return {
    set(callback, ms) {
      const id = nextId++;
      armed.set(id, { ms, callback });
      return id;
    },
    clear(handle) {
      armed.delete(handle as number);
    },
    pending: () => [...armed].map(([id, { ms }]) => ({ id, ms })),
    fire(id) {
      const timer = armed.get(id);
      if (!timer) throw new Error(`no pending timer ${id}`);
      armed.delete(id);
      fired++;
      timer.callback();
    },
    get fired() {
      return fired;
    },
  };
}
