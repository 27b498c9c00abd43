// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { FixedClock } from "../../src/clock.ts";
import { createRateLimiter, WINDOW_MS } from "../../src/delivery/rate-limiter.ts";

/** The most grants in any window [t, t + 1 s) of a sorted list of grant times. */
function busiestWindow(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("rate limiter", () => {
  test("grants the full rate at once, then nothing until the first grant is a second old", () => {
    const clock = new FixedClock(0);
    const limiter = createRateLimiter(14, clock);
    expect(limiter.take(20)).toBe(14);
    expect(limiter.available()).toBe(0);
    clock.advance(999);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.nextFreeAt()).toBe(1000);
    clock.advance(1);
    expect(limiter.take(20)).toBe(14);
  });

  test("is a sliding window: a burst at the end of one second cannot be followed by a full burst", () => {
    const clock = new FixedClock(0);
    const limiter = createRateLimiter(10, clock);
    expect(limiter.take(5)).toBe(5);
    clock.set(900);
    expect(limiter.take(10)).toBe(5);
    clock.set(1000); // the first five are a second old; the last five are not
    expect(limiter.take(10)).toBe(5);
    clock.set(1899);
    expect(limiter.take(10)).toBe(0);
    clock.set(1900);
    expect(limiter.take(10)).toBe(5);
  });

  test("never exceeds the rate in any one-second window under irregular demand", () => {
    const clock = new FixedClock(0);
    const limiter = createRateLimiter(14, clock);
    const times: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 5000; step++) {
      clock.advance(Math.floor(random() * 120));
      const granted = limiter.take(Math.floor(random() * 8));
      for (let i = 0; i < granted; i++) times.push(clock.now());
    }
    expect(times.length).toBeGreaterThan(1000);
    expect(busiestWindow(times)).toBe(14);
  });

  test("drain (provider throttling) blocks every grant for a full window", () => {
    const clock = new FixedClock(0);
    const limiter = createRateLimiter(10, clock);
    expect(limiter.take(2)).toBe(2);
    clock.advance(300);
    limiter.drain();
    expect(limiter.available()).toBe(0);
    expect(limiter.nextFreeAt()).toBe(1300);
    clock.set(1300);
    expect(limiter.available()).toBe(10);
  });

  test("rejects a rate that is not a positive integer", () => {
    expect(() => createRateLimiter(0, new FixedClock())).toThrow(RangeError);
    expect(() => createRateLimiter(1.5, new FixedClock())).toThrow(RangeError);
  });
});
