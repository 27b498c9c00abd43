import { describe, expect, test } from "bun:test";
import { createSignInThrottle } from "../../src/admin/sign-in-throttle.ts";

describe("sign-in throttle", () => {
  test("an address is refused after its allowance until the window ends; others are not", () => {
    const throttle = createSignInThrottle({ maxFailures: 2, windowMs: 1000 });
    throttle.fail("a", 0);
    expect(throttle.retryAfterMs("a", 10)).toBe(0);
    throttle.fail("a", 100);
    expect(throttle.retryAfterMs("a", 100)).toBe(900);
    expect(throttle.retryAfterMs("b", 100)).toBe(0);
    expect(throttle.retryAfterMs("a", 1000)).toBe(0);
  });

  test("all addresses together have an allowance too", () => {
    const throttle = createSignInThrottle({ maxFailures: 5, maxTotalFailures: 3, windowMs: 1000 });
    for (const client of ["a", "b", "c"]) throttle.fail(client, 0);
    expect(throttle.retryAfterMs("d", 1)).toBe(999);
  });

  test("memory is bounded: past maxClients the oldest address is forgotten", () => {
    const throttle = createSignInThrottle({ maxFailures: 1, maxTotalFailures: 1_000, maxClients: 2 });
    for (const client of ["a", "b", "c"]) throttle.fail(client, 0);
    expect(throttle.retryAfterMs("a", 1)).toBe(0);
    expect(throttle.retryAfterMs("c", 1)).toBeGreaterThan(0);
  });
});
