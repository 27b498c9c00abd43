import { describe, expect, test } from "bun:test";
import {
  ALERT_RULES,
  type AlertSnapshot,
  type ChannelSnapshot,
  emailOwed,
  nextAlertState,
} from "../../src/alerts/alert-definitions.rules.ts";
import { FixedClock } from "../../src/clock.ts";

const MINUTE = 60_000;
const thresholds = { smsCostHourUsd: 10, smsCostDayUsd: 50 };

const quietChannel = (): ChannelSnapshot => ({
  finishedLastHour: 0,
  failedLastHour: 0,
  queueDepth: 0,
  oldestDueAgeMs: 0,
  attemptsLast5m: 0,
  latency: { count: 0, avgMs: 0 },
  paused: null,
});

function snapshot(
  patch: Partial<AlertSnapshot> = {},
  channels: Partial<Record<"email" | "sms", Partial<ChannelSnapshot>>> = {},
): AlertSnapshot {
  return {
    now: Date.UTC(2026, 0, 15, 12),
    channels: {
      email: { ...quietChannel(), ...channels.email },
      sms: { ...quietChannel(), ...channels.sms },
    },
    maintenance: false,
    smsUnknown: 0,
    loopSkipsLastHour: 0,
    smsCostLastHourUsd: 0,
    smsCostLastDayUsd: 0,
    smsBudget: { dayUsd: 0, monthUsd: 0, dailyLimitUsd: 50, monthlyLimitUsd: 1500 },
    ...patch,
  };
}

const rule = (name: string) => {
  const found = ALERT_RULES.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};
const active = (s: AlertSnapshot) =>
  ALERT_RULES.filter((r) => r.check(s, thresholds).active).map((r) => r.name);

describe("alert rules", () => {
  test("a quiet system fires nothing", () => {
    expect(active(snapshot())).toEqual([]);
  });

  test("rule instance names are unique (they key alert_states)", () => {
    expect(new Set(ALERT_RULES.map((r) => r.name)).size).toBe(ALERT_RULES.length);
  });

  test("failure rate: above 5 % warns, above 10 % is critical, per channel, and needs 10 finished deliveries", () => {
    expect(active(snapshot({}, { sms: { finishedLastHour: 100, failedLastHour: 5 } }))).toEqual([]);
    expect(active(snapshot({}, { sms: { finishedLastHour: 100, failedLastHour: 6 } }))).toEqual([
      "HeraldDeliveryFailureRateHigh:sms",
    ]);
    expect(active(snapshot({}, { email: { finishedLastHour: 100, failedLastHour: 11 } }))).toEqual([
      "HeraldDeliveryFailureRateHigh:email",
      "HeraldDeliveryFailureRateCritical:email",
    ]);
    // 5 of 9 failed is noise, not a rate.
    expect(active(snapshot({}, { email: { finishedLastHour: 9, failedLastHour: 5 } }))).toEqual([]);
    const check = rule("HeraldDeliveryFailureRateCritical:email").check(
      snapshot({}, { email: { finishedLastHour: 40, failedLastHour: 10 } }),
      thresholds,
    );
    expect(check.value).toBe(0.25);
    expect(check.summary).toBe("email failure rate 25.0% over the last hour (10 of 40; limit 10.0%)");
  });

  test("queue depth: above 500 warns (after 10 min), above 1,000 is critical at once", () => {
    expect(active(snapshot({}, { email: { queueDepth: 500 } }))).toEqual([]);
    expect(active(snapshot({}, { email: { queueDepth: 501 } }))).toEqual(["HeraldQueueBacklog:email"]);
    expect(active(snapshot({}, { sms: { queueDepth: 1001 } }))).toEqual([
      "HeraldQueueBacklog:sms",
      "HeraldQueueBacklogCritical:sms",
    ]);
    expect(rule("HeraldQueueBacklog:email").forMs).toBe(10 * MINUTE);
    expect(rule("HeraldQueueBacklogCritical:email").forMs).toBe(0);
  });

  test("a stalled worker: work due over 5 min and no attempt in 5 min, unless maintenance or a provider pause explains it", () => {
    const stalled = { queueDepth: 3, oldestDueAgeMs: 6 * MINUTE, attemptsLast5m: 0 };
    expect(active(snapshot({}, { email: stalled }))).toEqual(["HeraldWorkerStalled:email"]);
    expect(active(snapshot({}, { email: { ...stalled, attemptsLast5m: 1 } }))).toEqual([]);
    expect(active(snapshot({}, { email: { ...stalled, oldestDueAgeMs: 4 * MINUTE } }))).toEqual([]);
    expect(active(snapshot({ maintenance: true }, { email: stalled }))).toEqual([]);
    const paused = { code: "AccountSendingPausedException", until: Date.UTC(2026, 0, 15, 12, 5) };
    expect(active(snapshot({}, { email: { ...stalled, paused } }))).toEqual(["HeraldChannelPaused:email"]);
  });

  test("latency above 30 s on average warns; none sent means no signal", () => {
    expect(active(snapshot({}, { sms: { latency: { count: 4, avgMs: 31_000 } } }))).toEqual([
      "HeraldDeliveryLatencyHigh:sms",
    ]);
    expect(active(snapshot({}, { sms: { latency: { count: 4, avgMs: 30_000 } } }))).toEqual([]);
    expect(active(snapshot({}, { sms: { latency: { count: 0, avgMs: 99_000 } } }))).toEqual([]);
  });

  test("held SMS, loops, SMS cost per hour and per day", () => {
    expect(active(snapshot({ smsUnknown: 1 }))).toEqual(["HeraldSmsHeldUnknown"]);
    expect(active(snapshot({ loopSkipsLastHour: 2 }))).toEqual(["HeraldNotificationLoop"]);
    expect(active(snapshot({ smsCostLastHourUsd: 10.01, smsCostLastDayUsd: 10.01 }))).toEqual([
      "HeraldSmsCostHourly",
    ]);
    expect(active(snapshot({ smsCostLastDayUsd: 50.5 }))).toEqual(["HeraldSmsCostDaily"]);
  });

  test("SMS budget: 80 % of the daily or monthly limit warns, 100 % is critical", () => {
    const budget = (dayUsd: number, monthUsd: number) =>
      snapshot({ smsBudget: { dayUsd, monthUsd, dailyLimitUsd: 50, monthlyLimitUsd: 1500 } });
    expect(active(budget(39.9, 100))).toEqual([]);
    expect(active(budget(40, 100))).toEqual(["HeraldSmsBudgetWarning"]);
    expect(active(budget(10, 1200))).toEqual(["HeraldSmsBudgetWarning"]);
    expect(active(budget(50, 100))).toEqual(["HeraldSmsBudgetWarning", "HeraldSmsBudgetExhausted"]);
  });
});

describe("alert state transitions", () => {
  const forMs = 10 * MINUTE;

  test("pending until the condition held for `for`, then firing (email owed), then resolved (email owed)", () => {
    const clock = new FixedClock();
    let state = nextAlertState(undefined, true, forMs, clock.now());
    expect(state).toEqual({ state: "pending", since: clock.now(), notifiedAt: clock.now() });
    expect(emailOwed(state)).toBe(false);
    const pendingSince = clock.now();
    clock.advance(9 * MINUTE);
    state = nextAlertState(state, true, forMs, clock.now());
    expect(state).toMatchObject({ state: "pending", since: pendingSince });
    clock.advance(MINUTE);
    state = nextAlertState(state, true, forMs, clock.now());
    expect(state).toEqual({ state: "firing", since: clock.now(), notifiedAt: null });
    expect(emailOwed(state)).toBe(true);
    // The email went out; staying firing keeps the state and owes nothing more.
    state = { ...state, notifiedAt: clock.now() };
    clock.advance(MINUTE);
    expect(nextAlertState(state, true, forMs, clock.now())).toBe(state);
    clock.advance(MINUTE);
    state = nextAlertState(state, false, forMs, clock.now());
    expect(state).toEqual({ state: "ok", since: clock.now(), notifiedAt: null });
    expect(emailOwed(state)).toBe(true);
  });

  test("a condition that clears while pending goes back to ok without any email", () => {
    const clock = new FixedClock();
    const pending = nextAlertState(undefined, true, forMs, clock.now());
    clock.advance(5 * MINUTE);
    const ok = nextAlertState(pending, false, forMs, clock.now());
    expect(ok).toEqual({ state: "ok", since: clock.now(), notifiedAt: clock.now() });
    expect(emailOwed(ok)).toBe(false);
  });

  test("a rule without `for` fires at once; resolving an alert whose email never went out owes nothing", () => {
    const clock = new FixedClock();
    const firing = nextAlertState(undefined, true, 0, clock.now());
    expect(firing.state).toBe("firing");
    clock.advance(MINUTE);
    const ok = nextAlertState(firing, false, 0, clock.now());
    expect(ok.state).toBe("ok");
    expect(emailOwed(ok)).toBe(false);
  });
});
