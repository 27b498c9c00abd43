/**
 * In-process wake-ups for the delivery workers. A service that commits deliveries (a create, an event, a retry,
 * a digest, the end of maintenance) says so here after its commit, with the channel and the time the deliveries
 * become due; the channel's worker then claims at once, or arms a timer for exactly that time, instead of polling
 * the database on a short timer. Work committed by another process sharing the database is not signalled: the
 * workers find it with a slow poll ({@link OTHER_PROCESS_POLL_MS}).
 *
 * The domain depends only on {@link DeliveryWakeups} (one method); the engine subscribes through
 * {@link DeliveryWakeupSignal}. Both are plain in-memory objects, so they are the same in tests and the server.
 */
import type { Channel } from "../channels/types.ts";

/**
 * How often an idle worker looks for due deliveries that no wake-up announced: those committed by another process
 * sharing the database (a second Herald on one libSQL server, the `herald` CLI) and those whose wake-up was lost
 * with a crash. Work committed in this process never waits for it. At 1 s an idle worker costs one indexed read
 * a second (measured with both workers: about 0.25 % of a core), and work from elsewhere waits half a second on
 * average, at most a second.
 */
export const OTHER_PROCESS_POLL_MS = 1_000;

/** What the domain tells the workers. */
export interface DeliveryWakeups {
  /**
   * Call after the commit that queued (or re-queued) deliveries on `channel`: `dueAt` is the earliest `run_at`
   * among them (epoch ms; omitted means due now). Synchronous and cheap (no I/O); safe to call for work another
   * process may take first (the worker then finds nothing and sleeps again). Never call it before the commit: a
   * worker woken early finds nothing and goes back to sleep until the next poll.
   */
  notify(channel: Channel, dueAt?: number): void;
}

/** Receives one channel's wake-ups: `dueAt` as given to {@link DeliveryWakeups.notify} (undefined: due now). */
export type WakeupListener = (dueAt: number | undefined) => void;

/** The engine's side of the signal: workers subscribe to their channel. */
export interface DeliveryWakeupSignal extends DeliveryWakeups {
  /** Calls `listener` on every wake-up of `channel` until the returned function is called. */
  subscribe(channel: Channel, listener: WakeupListener): () => void;
}

/** A signal with no subscribers yet (one per process, built with the deps). */
export function createDeliveryWakeups(): DeliveryWakeupSignal {
  const listeners: Record<Channel, Set<WakeupListener>> = { email: new Set(), sms: new Set() };
  return {
    notify(channel, dueAt) {
      for (const listener of listeners[channel]) listener(dueAt);
    },
    subscribe(channel, listener) {
      listeners[channel].add(listener);
      return () => listeners[channel].delete(listener);
    },
  };
}

/** One channel decision of a created notification, as the create pipeline reports it. */
export interface SendingDecision {
  channel: Channel;
  /** Only `queued` and `deferred` decisions become queued delivery rows. */
  status: string;
  /** When the delivery becomes due (null or absent: at creation). */
  runAt: number | null;
}

/**
 * Wakes the workers for the deliveries a committed create queued: one call per channel, with the earliest due
 * time. Notifications found by their dedupe key (status 200) queued nothing new.
 */
export function notifyCreated(
  wakeups: DeliveryWakeups,
  outcomes: readonly { status: number; body: { decisions: readonly SendingDecision[] } }[],
  now: number,
): void {
  const earliest = new Map<Channel, number>();
  for (const { status, body } of outcomes) {
    if (status !== 201) continue;
    for (const d of body.decisions) {
      if (d.status !== "queued" && d.status !== "deferred") continue;
      const dueAt = d.runAt ?? now;
      earliest.set(d.channel, Math.min(earliest.get(d.channel) ?? dueAt, dueAt));
    }
  }
  for (const [channel, dueAt] of earliest) wakeups.notify(channel, dueAt);
}

/**
 * A worker's future due times, earliest first, so it can sleep until exactly the next one. Bounded: past
 * {@link DueTimes.capacity} distinct times the latest are forgotten, and the slow poll finds those deliveries
 * (at most {@link OTHER_PROCESS_POLL_MS} late) once they are due.
 */
export class DueTimes {
  private readonly times: number[] = [];

  constructor(readonly capacity = 256) {}

  /** Remembers `at` (a time already known is kept once). */
  add(at: number): void {
    const { times } = this;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    if (times[lo] === at || lo >= this.capacity) return;
    times.splice(lo, 0, at);
    if (times.length > this.capacity) times.pop();
  }

  /** The earliest time remembered, or null. */
  next(): number | null {
    return this.times[0] ?? null;
  }

  /** Forgets every time at or before `now` (their deliveries are due); returns true if there was one. */
  takeDue(now: number): boolean {
    let n = 0;
    while (n < this.times.length && (this.times[n] as number) <= now) n++;
    if (n > 0) this.times.splice(0, n);
    return n > 0;
  }

  /** How many times are remembered. */
  get size(): number {
    return this.times.length;
  }
}
