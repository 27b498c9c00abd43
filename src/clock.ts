/** The source of "now" for everything in Herald, so tests can fix and step time. */
export interface Clock {
  /** Current time in epoch milliseconds (UTC). */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and simulations. */
export class FixedClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Jumps to an absolute time. */
  set(epochMs: number): void {
    this.current = epochMs;
  }
}
