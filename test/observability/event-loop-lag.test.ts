// biome-ignore-all lint/style/noNonNullAssertion: tests index timers they just armed
/**
 * The event-loop lag monitor on timers and a clock the test drives: each firing records how late it came, into
 * `herald_event_loop_lag_seconds` and the window behind `snapshot()`.
 */
import { describe, expect, test } from "bun:test";
import {
  createEventLoopLagMonitor,
  LAG_ACTIVE_MS,
  LAG_IDLE_AFTER_MS,
  LAG_IDLE_SAMPLE_MS,
  LAG_SAMPLE_MS,
} from "../../src/observability/event-loop-lag.ts";
import { createHeraldMetrics } from "../../src/observability/herald-metrics.ts";
import { manualTimers } from "../helpers/manual-timers.ts";
import { PROMTOOL, requireTool } from "../helpers/requires-tool.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const promtoolTool = requireTool(PROMTOOL);

/**
 * A monitor on manual timers, a clock at `now.value` and CPU time at `cpu.value` (µs), plus a way to fire its
 * timer `lateBy` ms late.
 */
function driven(options: { windowMs?: number } = {}) {
  const metrics = createHeraldMetrics();
  const timers = manualTimers();
  const now = { value: 1_000 };
  const cpu = { value: 0 };
  const monitor = createEventLoopLagMonitor(metrics.eventLoopLag, {
    timers,
    now: () => now.value,
    cpuMicros: () => cpu.value,
    ...options,
  });
  const fireLate = (lateBy: number) => {
    const [armed] = timers.pending();
    now.value += armed!.ms + lateBy;
    timers.fire(armed!.id);
  };
  /** Fires the pending timer exactly on time; returns the interval it was armed for. */
  const fireOnTime = () => {
    const [armed] = timers.pending();
    now.value += armed!.ms;
    timers.fire(armed!.id);
    return armed!.ms;
  };
  return { metrics, timers, now, cpu, monitor, fireLate, fireOnTime };
}

describe("event-loop lag monitor", () => {
  test("each sample records how late the timer fired, in the histogram and the snapshot", async () => {
    const { metrics, monitor, fireLate } = driven();
    monitor.start();
    for (const late of [0, 1, 2, 3, 40]) fireLate(late);
    expect(monitor.snapshot()).toEqual({ samples: 5, p50Ms: 2, p99Ms: 40, maxMs: 40, windowMs: 60_000 });
    const text = await metrics.registry.render();
    expect(text).toContain("# TYPE herald_event_loop_lag_seconds histogram\n");
    expect(text).toContain('herald_event_loop_lag_seconds_bucket{le="0.001"} 2\n');
    expect(text).toContain('herald_event_loop_lag_seconds_bucket{le="0.025"} 4\n');
    expect(text).toContain('herald_event_loop_lag_seconds_bucket{le="0.05"} 5\n');
    expect(text).toContain("herald_event_loop_lag_seconds_count 5\n");
    expect(text).toContain("herald_event_loop_lag_seconds_sum 0.046\n");
  });

  test("the snapshot covers only its window", () => {
    const { monitor, fireLate, now } = driven({ windowMs: 1_000 });
    monitor.start();
    fireLate(500); // at 1,520
    now.value += 2_000; // the next sample comes 2 s late…
    fireLate(0);
    expect(monitor.snapshot()).toMatchObject({ samples: 1, maxMs: 2_000 }); // …and the first has left the window
    expect(monitor.snapshot(10_000)).toMatchObject({ samples: 2, maxMs: 2_000, p50Ms: 500 });
  });

  test("one timer at a time, none after stop, and an empty snapshot reads as zeros", () => {
    const { monitor, timers, fireLate } = driven();
    expect(monitor.snapshot()).toEqual({ samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, windowMs: 60_000 });
    monitor.start();
    monitor.start();
    expect(timers.pending()).toHaveLength(1);
    fireLate(0);
    expect(timers.pending()).toHaveLength(1);
    monitor.stop();
    expect(monitor.running).toBe(false);
    expect(timers.pending()).toEqual([]);
    expect(monitor.snapshot().samples).toBe(1);
  });

  test("at rest it samples slowly; a late sample or CPU use brings back the fast rate", () => {
    const { monitor, timers, cpu, fireOnTime, fireLate } = driven();
    monitor.start();
    const fast = LAG_IDLE_AFTER_MS / LAG_SAMPLE_MS;
    const intervals = Array.from({ length: fast + 3 }, fireOnTime);
    expect(intervals.slice(0, fast)).toEqual(Array(fast).fill(LAG_SAMPLE_MS));
    expect(intervals.slice(fast)).toEqual([LAG_IDLE_SAMPLE_MS, LAG_IDLE_SAMPLE_MS, LAG_IDLE_SAMPLE_MS]);

    // A late sample: fast again.
    const [slow] = timers.pending();
    expect(slow!.ms).toBe(LAG_IDLE_SAMPLE_MS);
    fireLate(LAG_ACTIVE_MS);
    expect(timers.pending()[0]!.ms).toBe(LAG_SAMPLE_MS);

    // Rest again, then the process works (10 ms of CPU in a 100 ms interval) without any lag: fast again.
    for (let i = 0; i < fast + 1; i++) fireOnTime();
    expect(timers.pending()[0]!.ms).toBe(LAG_IDLE_SAMPLE_MS);
    cpu.value += 10_000;
    fireOnTime();
    expect(timers.pending()[0]!.ms).toBe(LAG_SAMPLE_MS);
  });

  promtoolTool.test("the exposition with lag samples passes promtool check metrics", async () => {
    const promtool = promtoolTool.path;
    const { metrics, monitor, fireLate } = driven();
    monitor.start();
    fireLate(3);
    const proc = Bun.spawn([promtool, "check", "metrics"], {
      stdin: new Blob([await metrics.registry.render()]),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  });

  test("GET /metrics lists the lag histogram; tests do not start the monitor unless they ask", async () => {
    const t = await makeTestApp({ seed: false });
    expect(t.deps.loopLag.running).toBe(false);
    const res = await t.call("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("# TYPE herald_event_loop_lag_seconds histogram\n");
  });
});
