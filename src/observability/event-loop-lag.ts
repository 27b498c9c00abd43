/**
 * Event-loop lag, measured in process: a timer due every {@link LAG_SAMPLE_MS} notes how late it fired. A
 * synchronous step that holds the thread (a slow query, a large render, a commit's fsync) delays it by about that
 * long, so the lag is what any request arriving meanwhile waited before Herald even saw it. Each sample goes to the
 * `herald_event_loop_lag_seconds` histogram (operators) and to a ring of recent samples, from which
 * {@link EventLoopLagMonitor.snapshot} gives p50/p99/max over a window (benchmarks, health).
 *
 * Why not `perf_hooks.monitorEventLoopDelay`: Bun has it, but it reports only percentiles since its last reset,
 * not the samples, so it can neither fill fixed Prometheus buckets nor give a sliding window; at the same
 * resolution it costs the same (one timer). A step shorter than the sample interval can go unseen or be
 * under-counted by up to the interval; one longer always shows.
 *
 * At rest a timer every 20 ms would be half of Herald's idle CPU budget (measured: about 0.45 % of a core in Bun),
 * so after {@link LAG_IDLE_AFTER_MS} without lag and with the process using almost no CPU the monitor samples every
 * {@link LAG_IDLE_SAMPLE_MS} instead, and returns to the fast rate at the first late sample or CPU use. While
 * resting, a lone step shorter than the slow interval may be under-counted (by at most that interval).
 */
import { realTimers, type Timers } from "../timers.ts";
import { createLatencyWindow, quantile } from "./latency-window.ts";
import type { Histogram } from "./metrics-registry.ts";

/** The sampling interval while the process works: every step holding the thread for 20 ms or more shows. */
export const LAG_SAMPLE_MS = 20;

/** The sampling interval at rest. */
export const LAG_IDLE_SAMPLE_MS = 100;

/**
 * How long without lag of {@link LAG_ACTIVE_MS} or more and without CPU use (5 % of an interval or more) before the
 * monitor slows down.
 */
export const LAG_IDLE_AFTER_MS = 2_000;

/**
 * Lag that counts as activity. Smaller lags come from the OS scheduling other processes (an idle Herald on a
 * shared 2-core machine saw p99 2-3 ms, max 15 ms), which is no reason to sample faster.
 */
export const LAG_ACTIVE_MS = 10;

/** The window {@link EventLoopLagMonitor.snapshot} summarises by default. */
export const LAG_WINDOW_MS = 60_000;

/** Lag over a window, in milliseconds. */
export interface LagSnapshot {
  /** Samples in the window (about windowMs / sampleMs while the loop is free; fewer while it is held). */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  windowMs: number;
}

/** A running (or stopped) lag monitor. */
export interface EventLoopLagMonitor {
  /** Starts sampling (idempotent). The timer does not keep the process alive. */
  start(): void;
  /** Stops sampling; the samples taken stay readable. */
  stop(): void;
  readonly running: boolean;
  /** Lag over the last `windowMs` (at most the ring's span; default {@link LAG_WINDOW_MS}). */
  snapshot(windowMs?: number): LagSnapshot;
}

/** Options for {@link createEventLoopLagMonitor}; tests pass their own timers and clock. */
export interface LagMonitorOptions {
  sampleMs?: number;
  /** The longest window kept (the ring holds windowMs / sampleMs samples). */
  windowMs?: number;
  timers?: Timers;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** CPU time this process has used, in microseconds (user + system). */
  cpuMicros?: () => number;
}

/** `process.cpuUsage()` as one number (a getrusage call: about a microsecond). */
function processCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** A monitor observing into `histogram` (seconds). Not started: the server starts it. */
export function createEventLoopLagMonitor(
  histogram: Histogram,
  options: LagMonitorOptions = {},
): EventLoopLagMonitor {
  const sampleMs = options.sampleMs ?? LAG_SAMPLE_MS;
  const windowMs = options.windowMs ?? LAG_WINDOW_MS;
  const timers = options.timers ?? realTimers;
  const now = options.now ?? (() => performance.now());
  const cpuMicros = options.cpuMicros ?? processCpuMicros;
  // Samples cannot come faster than one per interval, so this many always cover the window.
  const samples = createLatencyWindow(Math.ceil(windowMs / sampleMs) + 1);
  let handle: unknown = null;
  let expected = 0;
  let armedAt = 0;
  let cpuAtArm = 0;
  /** The last sample that was late or saw the process working. */
  let lastActiveAt = 0;

  function record(at: number, lagMs: number): void {
    samples.record(lagMs, at);
    histogram.observe({}, lagMs / 1000);
  }

  function arm(at: number): void {
    const interval =
      at - lastActiveAt < LAG_IDLE_AFTER_MS ? sampleMs : Math.max(sampleMs, LAG_IDLE_SAMPLE_MS);
    armedAt = at;
    expected = at + interval;
    cpuAtArm = cpuMicros();
    handle = timers.set(fire, interval);
    (handle as { unref?: () => void } | null)?.unref?.();
  }

  function fire(): void {
    const at = now();
    const lagMs = Math.max(0, at - expected);
    const cpuShare = (cpuMicros() - cpuAtArm) / 1000 / Math.max(1, at - armedAt);
    if (lagMs >= LAG_ACTIVE_MS || cpuShare >= 0.05) lastActiveAt = at;
    record(at, lagMs);
    arm(at);
  }

  return {
    start() {
      if (handle !== null) return;
      const at = now();
      lastActiveAt = at; // start at the fast rate
      arm(at);
    },
    stop() {
      if (handle === null) return;
      timers.clear(handle);
      handle = null;
    },
    get running() {
      return handle !== null;
    },
    snapshot(window = windowMs) {
      const sorted = samples.sortedSince(now() - window);
      return {
        samples: sorted.length,
        p50Ms: quantile(sorted, 0.5),
        p99Ms: quantile(sorted, 0.99),
        maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0,
        windowMs: window,
      };
    },
  };
}
