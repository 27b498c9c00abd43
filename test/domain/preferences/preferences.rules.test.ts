import { describe, expect, test } from "bun:test";
import {
  defaultPreferences,
  HH_MM,
  normalizePreferences,
} from "../../../src/domain/preferences/preferences.rules.ts";

describe("preferences rules", () => {
  test("the defaults: both channels on, no opt-outs, quiet hours off (22:00-07:00), digest at 9", () => {
    expect(defaultPreferences()).toEqual({
      emailEnabled: true,
      smsEnabled: true,
      categoryOptOuts: { email: [], sms: [] },
      quietHours: { enabled: false, start: "22:00", end: "07:00" },
      digestHour: 9,
      digestCategories: [],
    });
  });

  test("each call returns a fresh document, so editing one never changes another recipient's", () => {
    const a = defaultPreferences();
    a.categoryOptOuts.email.push("marketing");
    expect(defaultPreferences().categoryOptOuts.email).toEqual([]);
  });

  test("normalizing keeps the first of repeated categories and everything else as given", () => {
    const input = { ...defaultPreferences(), categoryOptOuts: { email: ["b", "a", "b"], sms: ["x", "x"] } };
    expect(normalizePreferences(input)).toEqual({
      ...input,
      categoryOptOuts: { email: ["b", "a"], sms: ["x"] },
    });
  });

  test("HH:MM accepts 00:00-23:59 only", () => {
    for (const ok of ["00:00", "07:05", "23:59"]) expect(HH_MM.test(ok)).toBe(true);
    for (const bad of ["24:00", "7:00", "12:60", "12:00:00", "noon", ""]) expect(HH_MM.test(bad)).toBe(false);
  });
});
