/**
 * Recent latencies, kept as samples so `/health/ready` and `herald status` can say what requests and deliveries
 * take *now* (p50/p95/p99 over the last minutes). Prometheus histograms count since the process started and
 * into fixed buckets, so they can give neither a sliding window nor exact percentiles; this ring can. It holds
 * the last {@link WINDOW_CAPACITY} samples: under heavy load the window is the newest samples, which is what an
 * operator asking "is it slow right now" wants.
 */

/** Samples kept per window (two Float64Arrays: 64 KiB). */
export const WINDOW_CAPACITY = 4096;

/** The span `/health/ready` summarises. */
export const RECENT_WINDOW_MS = 5 * 60_000;

/** Latency percentiles over a window, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A ring of (time, latency) samples. */
export interface LatencyWindow {
  record(ms: number, at: number): void;
  /** The values recorded at or after `since`, ascending. */
  sortedSince(since: number): Float64Array;
  /** Percentiles of the values recorded at or after `since`, rounded to 0.01 ms. */
  summary(since: number): LatencySummary;
}

/** The q-quantile of ascending `sorted` (nearest rank; 0 for none). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function createLatencyWindow(capacity = WINDOW_CAPACITY): LatencyWindow {
  const times = new Float64Array(capacity);
  const values = new Float64Array(capacity);
  let next = 0;
  let count = 0;
  const sortedSince = (since: number) => {
    const inWindow: number[] = [];
    for (let i = 0; i < count; i++) {
      const slot = (next - 1 - i + capacity) % capacity;
      if ((times[slot] as number) < since) break; // older from here on
      inWindow.push(values[slot] as number);
    }
    return Float64Array.from(inWindow).sort();
  };
  return {
    record(ms, at) {
      times[next] = at;
      values[next] = ms;
      next = (next + 1) % capacity;
      if (count < capacity) count++;
    },
    sortedSince,
    summary(since) {
      const sorted = sortedSince(since);
      const round = (ms: number) => Math.round(ms * 100) / 100;
      return {
        count: sorted.length,
        p50Ms: round(quantile(sorted, 0.5)),
        p95Ms: round(quantile(sorted, 0.95)),
        p99Ms: round(quantile(sorted, 0.99)),
        maxMs: round(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0),
      };
    },
  };
}
