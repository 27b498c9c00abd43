import { describe, expect, test } from "bun:test";
import { type DecisionInput, decideChannels } from "../../../src/domain/notifications/delivery-policy.rules.ts";

const noon = Date.parse("2026-01-15T18:00:00Z"); // 12:00 in Chicago
const night = Date.parse("2026-01-16T05:00:00Z"); // 23:00 in Chicago

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: noon,
    priority: "HIGH",
    category: "repair",
    templateHas: { email: true, sms: true },
    recipient: {
      email: "a@example.com",
      emailVerified: true,
      phone: "+15551230001",
      phoneVerified: true,
      timezone: "America/Chicago",
    },
    preferences: {
      emailEnabled: true,
      smsEnabled: true,
      categoryOptOuts: { email: [], sms: [] },
      quietHours: { enabled: true, start: "22:00", end: "07:00" },
      digestHour: 9,
      digestCategories: [],
    },
    sendAt: null,
    ...overrides,
  };
}

const summary = (i: DecisionInput) =>
  Object.fromEntries(decideChannels(i).map((d) => [d.channel, d.reason ? `${d.status}:${d.reason}` : d.status]));

describe("delivery policy", () => {
  test("the priority table: URGENT and HIGH email+SMS, MEDIUM email only, LOW the digest", () => {
    expect(summary(input({ priority: "URGENT" }))).toEqual({ email: "queued", sms: "queued" });
    expect(summary(input({ priority: "HIGH" }))).toEqual({ email: "queued", sms: "queued" });
    expect(summary(input({ priority: "MEDIUM" }))).toEqual({ email: "queued", sms: "skipped:priority" });
    expect(summary(input({ priority: "LOW" }))).toEqual({ email: "digest:digest", sms: "skipped:priority" });
  });

  test("quiet hours defer HIGH to the end of the window; URGENT bypasses them", () => {
    const [email] = decideChannels(input({ now: night }));
    expect(email).toEqual({ channel: "email", status: "deferred", reason: "quiet-hours", runAt: Date.parse("2026-01-16T13:00:00Z") });
    expect(summary(input({ now: night, priority: "URGENT" }))).toEqual({ email: "queued", sms: "queued" });
  });

  test("disabled quiet hours do not defer", () => {
    const prefs = { ...input().preferences, quietHours: { enabled: false, start: "22:00", end: "07:00" } };
    expect(summary(input({ now: night, preferences: prefs }))).toEqual({ email: "queued", sms: "queued" });
  });

  test("opt-outs by channel and by category, each with its reason", () => {
    const base = input().preferences;
    expect(summary(input({ preferences: { ...base, smsEnabled: false } }))).toEqual({ email: "queued", sms: "skipped:channel-opt-out" });
    expect(summary(input({ preferences: { ...base, categoryOptOuts: { email: ["repair"], sms: [] } } }))).toEqual({
      email: "skipped:category-opt-out",
      sms: "queued",
    });
  });

  test("missing or unverified contacts are skipped", () => {
    const r = input().recipient;
    expect(summary(input({ recipient: { ...r, phone: null } }))).toEqual({ email: "queued", sms: "skipped:no-contact" });
    expect(summary(input({ recipient: { ...r, emailVerified: false } }))).toEqual({ email: "skipped:unverified-contact", sms: "queued" });
  });

  test("a template without an SMS part skips SMS", () => {
    expect(summary(input({ templateHas: { email: true, sms: false } }))).toEqual({ email: "queued", sms: "skipped:no-template" });
  });

  test("sendAt defers; when it lands in quiet hours the window end wins", () => {
    const later = noon + 3_600_000;
    expect(decideChannels(input({ sendAt: later }))[0]).toMatchObject({ status: "deferred", reason: "send-at", runAt: later });
    expect(decideChannels(input({ sendAt: night }))[0]).toMatchObject({
      status: "deferred",
      reason: "quiet-hours",
      runAt: Date.parse("2026-01-16T13:00:00Z"),
    });
    expect(decideChannels(input({ sendAt: noon - 1000 }))[0]).toMatchObject({ status: "queued", runAt: noon });
  });

  test("LOW goes to the next digest at the recipient's digest hour", () => {
    const [email] = decideChannels(input({ priority: "LOW" }));
    expect(email?.runAt).toBe(Date.parse("2026-01-16T15:00:00Z")); // 09:00 Chicago next day
  });
});
