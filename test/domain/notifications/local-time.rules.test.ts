import { describe, expect, test } from "bun:test";
import {
  cachedTimeZoneCount,
  canonicalTimeZone,
  localParts,
  MAX_TIME_ZONE_LENGTH,
  nextLocalTime,
  quietHoursEnd,
  zonedInstant,
} from "../../../src/domain/notifications/local-time.rules.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("local time", () => {
  test("zonedInstant turns Chicago wall time into UTC, in winter and summer", () => {
    expect(iso(zonedInstant("America/Chicago", { year: 2026, month: 1, day: 15 }, 7, 0))).toBe(
      "2026-01-15T13:00:00.000Z",
    );
    expect(iso(zonedInstant("America/Chicago", { year: 2026, month: 7, day: 15 }, 7, 0))).toBe(
      "2026-07-15T12:00:00.000Z",
    );
    expect(localParts(Date.parse("2026-07-15T12:00:00Z"), "America/Chicago").hour).toBe(7);
  });

  test("a wall time skipped by spring-forward resolves to the end of the gap", () => {
    // 2026-03-08 02:30 does not exist in Chicago (clocks jump 02:00 → 03:00 CDT = 08:00Z).
    expect(iso(zonedInstant("America/Chicago", { year: 2026, month: 3, day: 8 }, 2, 30))).toBe(
      "2026-03-08T08:30:00.000Z",
    );
  });

  test("a repeated wall time at fall-back resolves to its first occurrence", () => {
    // 2026-11-01 01:30 happens twice in Chicago: first at 06:30Z (CDT), then 07:30Z (CST).
    expect(iso(zonedInstant("America/Chicago", { year: 2026, month: 11, day: 1 }, 1, 30))).toBe(
      "2026-11-01T06:30:00.000Z",
    );
  });

  test("nextLocalTime is strictly after the given instant", () => {
    const at9 = Date.parse("2026-01-15T15:00:00Z"); // 09:00 in Chicago
    expect(iso(nextLocalTime(at9, "America/Chicago", 9 * 60))).toBe("2026-01-16T15:00:00.000Z");
    expect(iso(nextLocalTime(at9 - 1, "America/Chicago", 9 * 60))).toBe("2026-01-15T15:00:00.000Z");
  });
});

describe("quiet hours", () => {
  const night = { start: "22:00", end: "07:00" };
  test("a window crossing midnight holds late evening and early morning, and ends at the local end time", () => {
    // 23:30 Chicago on Jan 15 → ends 07:00 Jan 16 = 13:00Z
    expect(iso(quietHoursEnd(Date.parse("2026-01-16T05:30:00Z"), "America/Chicago", night))).toBe(
      "2026-01-16T13:00:00.000Z",
    );
    // 05:00 Chicago → ends 07:00 the same morning
    expect(iso(quietHoursEnd(Date.parse("2026-01-16T11:00:00Z"), "America/Chicago", night))).toBe(
      "2026-01-16T13:00:00.000Z",
    );
    // 12:00 Chicago → not quiet
    expect(quietHoursEnd(Date.parse("2026-01-16T18:00:00Z"), "America/Chicago", night)).toBeNull();
  });

  test("the end is exclusive and the start inclusive", () => {
    expect(quietHoursEnd(Date.parse("2026-01-16T13:00:00Z"), "America/Chicago", night)).toBeNull(); // 07:00
    expect(quietHoursEnd(Date.parse("2026-01-16T04:00:00Z"), "America/Chicago", night)).not.toBeNull(); // 22:00
  });

  test("a same-day window and an empty window", () => {
    const lunch = { start: "12:00", end: "13:00" };
    expect(iso(quietHoursEnd(Date.parse("2026-01-16T11:30:00Z"), "UTC", lunch))).toBe(null);
    expect(iso(quietHoursEnd(Date.parse("2026-01-16T12:30:00Z"), "UTC", lunch))).toBe(
      "2026-01-16T13:00:00.000Z",
    );
    expect(
      quietHoursEnd(Date.parse("2026-01-16T12:30:00Z"), "UTC", { start: "12:00", end: "12:00" }),
    ).toBeNull();
  });

  test("the window follows the recipient's zone across the DST change", () => {
    // Night of 2026-03-07/08 in Chicago: 07:00 CDT on the 8th is 12:00Z (not 13:00Z as in winter).
    expect(iso(quietHoursEnd(Date.parse("2026-03-08T06:00:00Z"), "America/Chicago", night))).toBe(
      "2026-03-08T12:00:00.000Z",
    );
  });
});

describe("the time-zone cache", () => {
  test("canonicalTimeZone accepts known zones in any case and refuses offsets, unknown and over-long names", () => {
    expect(canonicalTimeZone("America/Chicago")).toBe("America/Chicago");
    expect(canonicalTimeZone("america/CHICAGO")).toBe("America/Chicago");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    for (const bad of [
      "",
      "Mars/Olympus_Mons",
      "+05:00",
      "-0300",
      "5",
      `America/${"x".repeat(MAX_TIME_ZONE_LENGTH)}`,
    ]) {
      expect(canonicalTimeZone(bad)).toBeNull();
    }
  });

  test("only valid zones are cached, once each: invalid strings and case variants add nothing", () => {
    canonicalTimeZone("Europe/Berlin");
    const before = cachedTimeZoneCount();
    for (let i = 0; i < 2_000; i++) expect(canonicalTimeZone(`Not/A_Zone_${i}`)).toBeNull();
    expect(cachedTimeZoneCount()).toBe(before);
    // Every upper/lower-case spelling of one zone shares the canonical entry.
    const letters = [..."europe/berlin"];
    for (let mask = 0; mask < 512; mask++) {
      const variant = letters.map((ch, i) => (mask & (1 << (i % 9)) ? ch.toUpperCase() : ch)).join("");
      expect(canonicalTimeZone(variant)).toBe("Europe/Berlin");
      localParts(0, variant);
    }
    expect(cachedTimeZoneCount()).toBe(before);
  });
});
