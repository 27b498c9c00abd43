import { describe, expect, test } from "bun:test";
import {
  CALL_GRACE_MS,
  CALL_START_MS,
  freeCalls,
  type GrantUse,
  nextFreeAt,
  planSends,
  WINDOW_MS,
} from "../../src/delivery/send-budget.rules.ts";

/** How long a grant of `calls` calls lets them start: the grace plus the time to start each call. */
const win = (calls: number) => CALL_GRACE_MS + calls * CALL_START_MS;

/** The most calls in any window [t, t + 1 s) of a sorted list of call times. */
function busiestWindow(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("send budget", () => {
  test("grants the full rate at once, then nothing until the grant ended a second ago", () => {
    const grants: GrantUse[] = [];
    const first = planSends(grants, 14, 20, 0);
    expect(first).toEqual({ calls: 14, startsAt: 0, endsAt: win(14) });
    grants.push(first);
    expect(planSends(grants, 14, 1, 999).calls).toBe(0);
    expect(nextFreeAt(grants, 14, 999)).toBe(win(14) + WINDOW_MS);
    expect(planSends(grants, 14, 1, win(14) + WINDOW_MS - 1).calls).toBe(0);
    expect(planSends(grants, 14, 20, win(14) + WINDOW_MS).calls).toBe(14);
  });

  test("is a sliding window: what a late burst took frees only a second after that burst", () => {
    const grants: GrantUse[] = [planSends([], 10, 5, 0)];
    grants.push(planSends(grants, 10, 10, 900));
    expect(grants.map((g) => g.calls)).toEqual([5, 5]);
    expect(freeCalls(grants, 10, 1000 + win(5))).toBe(5); // the first five ended a second ago
    expect(nextFreeAt(grants, 10, 1000)).toBe(1000 + win(5));
    grants.push(planSends(grants, 10, 10, 1000 + win(5)));
    expect(freeCalls(grants, 10, 1899 + win(5))).toBe(0);
    expect(nextFreeAt(grants, 10, 1500)).toBe(1900 + win(5));
  });

  test("counts grants made ahead of time by others, whatever the order they were made in", () => {
    // Another process took 8 calls starting at 500 before this claim at 100 looked.
    const grants: GrantUse[] = [{ endsAt: 500 + CALL_GRACE_MS, calls: 8 }];
    expect(planSends(grants, 10, 10, 100).calls).toBe(2);
  });

  test("never exceeds the rate in any window, however late inside their grant the calls start", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const grants: GrantUse[] = [];
    const calls: number[] = [];
    let now = 0;
    for (let step = 0; step < 5000; step++) {
      now += Math.floor(random() * 120);
      // Several claimers, each with its own lead ahead of the shared clock.
      const plan = planSends(grants, 14, Math.floor(random() * 8), now + Math.floor(random() * 40));
      grants.push(plan);
      for (let i = 0; i < plan.calls; i++)
        calls.push(plan.startsAt + Math.floor(random() * (plan.endsAt - plan.startsAt)));
    }
    calls.sort((a, b) => a - b);
    expect(calls.length).toBeGreaterThan(1000);
    expect(busiestWindow(calls)).toBeLessThanOrEqual(14);
  });
});
