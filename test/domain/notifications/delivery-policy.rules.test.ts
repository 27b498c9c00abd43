import { describe, expect, test } from "bun:test";
import {
  type ChannelDecision,
  type DecisionInput,
  decideChannels,
  defaultPolicy,
  type Guards,
  skipSmsOverBudget,
  smsBudgetApplies,
} from "../../../src/domain/notifications/delivery-policy.rules.ts";

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

const summarize = (decisions: readonly ChannelDecision[]) =>
  Object.fromEntries(decisions.map((d) => [d.channel, d.reason ? `${d.status}:${d.reason}` : d.status]));
const summary = (i: DecisionInput) => summarize(decideChannels(i));

describe("delivery policy", () => {
  test("the priority table: URGENT and HIGH email+SMS, MEDIUM email only, LOW the digest", () => {
    expect(summary(input({ priority: "URGENT" }))).toEqual({ email: "queued", sms: "queued" });
    expect(summary(input({ priority: "HIGH" }))).toEqual({ email: "queued", sms: "queued" });
    expect(summary(input({ priority: "MEDIUM" }))).toEqual({ email: "queued", sms: "skipped:priority" });
    expect(summary(input({ priority: "LOW" }))).toEqual({ email: "digest:digest", sms: "skipped:priority" });
  });

  test("quiet hours defer HIGH to the end of the window; URGENT bypasses them", () => {
    const [email] = decideChannels(input({ now: night }));
    expect(email).toEqual({
      channel: "email",
      status: "deferred",
      reason: "quiet-hours",
      runAt: Date.parse("2026-01-16T13:00:00Z"),
    });
    expect(summary(input({ now: night, priority: "URGENT" }))).toEqual({ email: "queued", sms: "queued" });
  });

  test("disabled quiet hours do not defer", () => {
    const prefs = { ...input().preferences, quietHours: { enabled: false, start: "22:00", end: "07:00" } };
    expect(summary(input({ now: night, preferences: prefs }))).toEqual({ email: "queued", sms: "queued" });
  });

  test("opt-outs by channel and by category, each with its reason", () => {
    const base = input().preferences;
    expect(summary(input({ preferences: { ...base, smsEnabled: false } }))).toEqual({
      email: "queued",
      sms: "skipped:channel-opt-out",
    });
    expect(
      summary(input({ preferences: { ...base, categoryOptOuts: { email: ["repair"], sms: [] } } })),
    ).toEqual({
      email: "skipped:category-opt-out",
      sms: "queued",
    });
  });

  test("missing or unverified contacts are skipped", () => {
    const r = input().recipient;
    expect(summary(input({ recipient: { ...r, phone: null } }))).toEqual({
      email: "queued",
      sms: "skipped:no-contact",
    });
    expect(summary(input({ recipient: { ...r, emailVerified: false } }))).toEqual({
      email: "skipped:unverified-contact",
      sms: "queued",
    });
  });

  test("a template without an SMS part skips SMS", () => {
    expect(summary(input({ templateHas: { email: true, sms: false } }))).toEqual({
      email: "queued",
      sms: "skipped:no-template",
    });
  });

  test("sendAt defers; when it lands in quiet hours the window end wins", () => {
    const later = noon + 3_600_000;
    expect(decideChannels(input({ sendAt: later }))[0]).toMatchObject({
      status: "deferred",
      reason: "send-at",
      runAt: later,
    });
    expect(decideChannels(input({ sendAt: night }))[0]).toMatchObject({
      status: "deferred",
      reason: "quiet-hours",
      runAt: Date.parse("2026-01-16T13:00:00Z"),
    });
    expect(decideChannels(input({ sendAt: noon - 1000 }))[0]).toMatchObject({
      status: "queued",
      runAt: noon,
    });
  });

  test("LOW goes to the next digest at the recipient's digest hour", () => {
    const [email] = decideChannels(input({ priority: "LOW" }));
    expect(email?.runAt).toBe(Date.parse("2026-01-16T15:00:00Z")); // 09:00 Chicago next day
  });
});

describe("delivery policy: operator guards", () => {
  const none: Guards = {
    suppressed: { email: false, sms: false },
    rolloutExcluded: { email: false, sms: false },
    loop: false,
  };
  /** Decides as the guards service does: once, then the SMS budget only where it applies. */
  const withBudget = (i: DecisionInput, smsOverBudget: boolean) => {
    const decisions = decideChannels(i);
    return smsOverBudget && smsBudgetApplies(decisions, i.priority)
      ? skipSmsOverBudget(decisions, i)
      : decisions;
  };
  const guarded = (
    { smsOverBudget = false, ...guards }: Partial<Guards> & { smsOverBudget?: boolean },
    overrides: Partial<DecisionInput> = {},
  ) =>
    summarize(
      withBudget(
        input({
          preferences: {
            ...input().preferences,
            quietHours: { enabled: false, start: "22:00", end: "07:00" },
          },
          ...overrides,
          guards: { ...none, ...guards },
        }),
        smsOverBudget,
      ),
    );

  test("no guard firing changes nothing", () => {
    expect(guarded({})).toEqual({ email: "queued", sms: "queued" });
  });

  test("a suppressed contact skips only its channel, with reason suppressed", () => {
    expect(guarded({ suppressed: { email: true, sms: false } })).toEqual({
      email: "skipped:suppressed",
      sms: "queued",
    });
    expect(guarded({ suppressed: { email: false, sms: true } })).toEqual({
      email: "queued",
      sms: "skipped:suppressed",
    });
  });

  test("a recipient outside a channel's rollout is skipped with reason rollout", () => {
    expect(guarded({ rolloutExcluded: { email: false, sms: true } })).toEqual({
      email: "queued",
      sms: "skipped:rollout",
    });
    expect(guarded({ rolloutExcluded: { email: true, sms: true } })).toEqual({
      email: "skipped:rollout",
      sms: "skipped:rollout",
    });
  });

  test("over budget skips a HIGH SMS with reason budget but never an URGENT one", () => {
    expect(guarded({ smsOverBudget: true })).toEqual({ email: "queued", sms: "skipped:budget" });
    expect(guarded({ smsOverBudget: true }, { priority: "URGENT" })).toEqual({
      email: "queued",
      sms: "queued",
    });
  });

  test("an SMS stopped by the budget sends email instead when only the priority table kept email off", () => {
    const smsOnly = { HIGH: { email: "off", sms: "send", quietHours: "defer" } } as DecisionInput["policy"];
    const policy = { ...defaultPolicy, ...smsOnly };
    expect(guarded({}, { policy })).toEqual({ email: "skipped:priority", sms: "queued" });
    expect(guarded({ smsOverBudget: true }, { policy })).toEqual({
      email: "queued:budget-fallback",
      sms: "skipped:budget",
    });
    // No fallback where the recipient chose against email: the opt-out stands.
    const optedOut = {
      ...input().preferences,
      emailEnabled: false,
      quietHours: { enabled: false, start: "22:00", end: "07:00" },
    };
    expect(guarded({ smsOverBudget: true }, { policy, preferences: optedOut })).toEqual({
      email: "skipped:priority",
      sms: "skipped:budget",
    });
  });

  test("a fallback email still waits for quiet hours, keeping that reason", () => {
    const policy = {
      ...defaultPolicy,
      HIGH: { email: "off", sms: "send", quietHours: "defer" },
    } as DecisionInput["policy"];
    const [email] = withBudget(input({ now: night, policy, guards: none }), true);
    expect(email).toMatchObject({
      status: "deferred",
      reason: "quiet-hours",
      runAt: Date.parse("2026-01-16T13:00:00Z"),
    });
  });

  test("a loop skips every channel, whatever the priority", () => {
    for (const priority of ["URGENT", "HIGH", "MEDIUM", "LOW"] as const) {
      expect(guarded({ loop: true }, { priority })).toEqual({ email: "skipped:loop", sms: "skipped:loop" });
    }
  });

  test("a category the recipient digests goes to the digest, except URGENT; SMS is unaffected", () => {
    const preferences = {
      ...input().preferences,
      digestCategories: ["repair"],
      quietHours: { enabled: false, start: "22:00", end: "07:00" },
    };
    expect(guarded({}, { preferences })).toEqual({ email: "digest:digest", sms: "queued" });
    expect(guarded({}, { preferences, priority: "URGENT" })).toEqual({ email: "queued", sms: "queued" });
    expect(guarded({}, { preferences, category: "billing" })).toEqual({ email: "queued", sms: "queued" });
  });
});
