/** Pure guard rules: rollout buckets and modes, SMS budget periods and limits, the loop threshold. */
import { describe, expect, test } from "bun:test";
import { isLoop, loopWindowStart } from "../../../src/domain/guards/loop-guard.rules.ts";
import { rolloutBucket, rolloutIncludes } from "../../../src/domain/guards/rollout.rules.ts";
import { budgetPeriods, exceedsSmsBudget } from "../../../src/domain/guards/sms-budget.rules.ts";
import type { Rollout } from "../../../src/domain/ops-settings/ops-settings.rules.ts";

const ids = Array.from({ length: 10_000 }, (_, i) => `recipient-${i}`);
const rollout = (r: Partial<Rollout>): Rollout => ({ mode: "all", percent: 100, kinds: [], ...r });

describe("rollout", () => {
  test("the bucket is a fixed function of the id (changing it would reshuffle every percentage rollout)", () => {
    // FNV-1a 32-bit reference vectors: "a" → 0xe40c292c, "foobar" → 0xbf9cf968; other ids pinned as computed.
    expect(rolloutBucket("a")).toBe(0xe40c292c % 100);
    expect(rolloutBucket("foobar")).toBe(0xbf9cf968 % 100);
    expect(rolloutBucket("tech-1")).toBe(95);
    expect(rolloutBucket("técnico-ø")).toBe(21); // hashed over UTF-8 bytes
  });

  test("percent includes about that share of recipients, and raising it only adds recipients", () => {
    const included = (percent: number) =>
      new Set(
        ids.filter((id) => rolloutIncludes(rollout({ mode: "percent", percent }), { id, kind: "customer" })),
      );
    expect(included(0).size).toBe(0);
    expect(included(100).size).toBe(ids.length);
    const ten = included(10);
    const fifty = included(50);
    expect(ten.size).toBeGreaterThan(800);
    expect(ten.size).toBeLessThan(1200);
    expect(fifty.size).toBeGreaterThan(4700);
    expect(fifty.size).toBeLessThan(5300);
    for (const id of ten) expect(fifty.has(id)).toBe(true);
  });

  test("all, none, staff and kinds", () => {
    const staff = { id: "s", kind: "staff" } as const;
    const tech = { id: "t", kind: "technician" } as const;
    const customer = { id: "c", kind: "customer" } as const;
    expect([staff, tech, customer].map((r) => rolloutIncludes(rollout({ mode: "all" }), r))).toEqual([
      true,
      true,
      true,
    ]);
    expect([staff, tech, customer].map((r) => rolloutIncludes(rollout({ mode: "none" }), r))).toEqual([
      false,
      false,
      false,
    ]);
    expect([staff, tech, customer].map((r) => rolloutIncludes(rollout({ mode: "staff" }), r))).toEqual([
      true,
      false,
      false,
    ]);
    const kinds = rollout({ mode: "kinds", kinds: ["staff", "technician"] });
    expect([staff, tech, customer].map((r) => rolloutIncludes(kinds, r))).toEqual([true, true, false]);
  });
});

describe("SMS budget", () => {
  test("periods are the UTC day and UTC month, whatever the recipients' zones", () => {
    expect(budgetPeriods(Date.parse("2026-03-31T23:59:59.999Z"))).toEqual({
      dayStart: Date.parse("2026-03-31T00:00:00Z"),
      monthStart: Date.parse("2026-03-01T00:00:00Z"),
    });
    expect(budgetPeriods(Date.parse("2026-04-01T00:00:00Z"))).toEqual({
      dayStart: Date.parse("2026-04-01T00:00:00Z"),
      monthStart: Date.parse("2026-04-01T00:00:00Z"),
    });
  });

  test("an SMS may take spend up to the limit exactly, not past it, on either period", () => {
    const spend = { dayUsd: 49.99, monthUsd: 100, dailyLimitUsd: 50, monthlyLimitUsd: 1500 };
    expect(exceedsSmsBudget(spend, 0.01)).toBe(false);
    expect(exceedsSmsBudget(spend, 0.010001)).toBe(true);
    // 0.1 + 0.2 is 0.30000000000000004 in floating point: still "exactly" the limit.
    expect(exceedsSmsBudget({ ...spend, dayUsd: 0.1, dailyLimitUsd: 0.3 }, 0.2)).toBe(false);
    expect(exceedsSmsBudget({ ...spend, dayUsd: 0, monthUsd: 1499.995 }, 0.00645)).toBe(true);
    expect(exceedsSmsBudget({ ...spend, dayUsd: 0, dailyLimitUsd: 0 }, 0.00645)).toBe(true);
  });
});

describe("loop guard", () => {
  test("the window ends now; the (max + 1)th similar notification is the loop", () => {
    const settings = { max: 5, windowMinutes: 60 };
    expect(loopWindowStart(Date.parse("2026-01-15T18:00:00Z"), settings)).toBe(
      Date.parse("2026-01-15T17:00:00Z"),
    );
    expect(isLoop(4, settings)).toBe(false);
    expect(isLoop(5, settings)).toBe(true);
  });
});
