/**
 * Herald's alert rules as pure functions over a snapshot: the red flags of the operations guide, the same ones
 * `scripts/prometheus/herald.rules.yml` ships for Prometheus (keep both in step: names, thresholds, `for`).
 * Each rule says whether its condition holds now, with the value and a one-line summary that never carries
 * contact data; `nextAlertState` turns that into ok → pending → firing → ok with the rule's `for` duration.
 */
import type { Channel } from "../channels/types.ts";

/** What one channel looks like right now (counts from the database, state from its worker). */
export interface ChannelSnapshot {
  /** Deliveries created in the last hour that finished: sent, delivered, bounced, complained or failed. */
  finishedLastHour: number;
  /** Of those, the ones that failed or bounced. */
  failedLastHour: number;
  /** Queued deliveries due now. */
  queueDepth: number;
  /** How long the oldest due queued delivery has waited (ms; 0 when none). */
  oldestDueAgeMs: number;
  /** Provider attempts recorded in the last 5 minutes. */
  attemptsLast5m: number;
  /** Average time from creation to the provider accepting, of the undeferred deliveries sent in the last 15 min. */
  latency: { count: number; avgMs: number };
  /** Set while an account-level provider error keeps the channel stopped. */
  paused: { code: string; until: number } | null;
}

/** Everything the rules read, gathered by `alert-snapshot.ts`. */
export interface AlertSnapshot {
  now: number;
  channels: Record<Channel, ChannelSnapshot>;
  /** Provider sends are held on purpose: a queue that does not move is then expected. */
  maintenance: boolean;
  /** SMS held as `unknown` after an ambiguous send. */
  smsUnknown: number;
  /** Deliveries skipped by the loop guard in the last hour. */
  loopSkipsLastHour: number;
  /** Spend of SMS created in the last hour / 24 hours that reached (or may have reached) the provider. */
  smsCostLastHourUsd: number;
  smsCostLastDayUsd: number;
  /** The SMS budget: committed spend of the current UTC day and month against the limits. */
  smsBudget: { dayUsd: number; monthUsd: number; dailyLimitUsd: number; monthlyLimitUsd: number };
}

/** Thresholds that are configuration, not policy (the SMS cost ceilings). */
export interface AlertThresholds {
  smsCostHourUsd: number;
  smsCostDayUsd: number;
}

export type AlertSeverity = "warning" | "critical";

/** The outcome of one rule on one snapshot. */
export interface RuleCheck {
  active: boolean;
  value: number;
  summary: string;
}

/** One alert rule instance (per channel where the rule is per channel). */
export interface AlertRule {
  /** Unique instance name, e.g. `HeraldDeliveryFailureRateHigh:sms`; the key in `alert_states`. */
  name: string;
  /** The Prometheus `alertname`. */
  alert: string;
  severity: AlertSeverity;
  channel: Channel | null;
  /** How long the condition must hold before the alert fires (the Prometheus `for`). */
  forMs: number;
  /** Evaluates the condition. */
  check(snapshot: AlertSnapshot, thresholds: AlertThresholds): RuleCheck;
}

const MINUTE = 60_000;

/** Failure rates are judged only on this many finished deliveries or more: 1 of 2 failing is no signal. */
export const MIN_FINISHED_FOR_RATE = 10;

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const usd = (value: number) => `$${value.toFixed(2)}`;
const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

function failureRate(
  name: string,
  severity: AlertSeverity,
  limit: number,
  forMs: number,
  channel: Channel,
): AlertRule {
  return {
    name: `${name}:${channel}`,
    alert: name,
    severity,
    channel,
    forMs,
    check(s) {
      const c = s.channels[channel];
      const rate = c.finishedLastHour > 0 ? c.failedLastHour / c.finishedLastHour : 0;
      return {
        active: c.finishedLastHour >= MIN_FINISHED_FOR_RATE && rate > limit,
        value: round(rate),
        summary: `${channel} failure rate ${pct(rate)} over the last hour (${c.failedLastHour} of ${c.finishedLastHour}; limit ${pct(limit)})`,
      };
    },
  };
}

function backlog(
  name: string,
  severity: AlertSeverity,
  limit: number,
  forMs: number,
  channel: Channel,
): AlertRule {
  return {
    name: `${name}:${channel}`,
    alert: name,
    severity,
    channel,
    forMs,
    check(s) {
      const depth = s.channels[channel].queueDepth;
      return {
        active: depth > limit,
        value: depth,
        summary: `${depth} ${channel} deliveries queued and due (limit ${limit})`,
      };
    },
  };
}

function perChannel(channel: Channel): AlertRule[] {
  return [
    failureRate("HeraldDeliveryFailureRateHigh", "warning", 0.05, 10 * MINUTE, channel),
    failureRate("HeraldDeliveryFailureRateCritical", "critical", 0.1, 5 * MINUTE, channel),
    backlog("HeraldQueueBacklog", "warning", 500, 10 * MINUTE, channel),
    backlog("HeraldQueueBacklogCritical", "critical", 1000, 0, channel),
    {
      name: `HeraldWorkerStalled:${channel}`,
      alert: "HeraldWorkerStalled",
      severity: "critical",
      channel,
      // The condition itself spans five minutes (oldest due item and no attempt in 5 min).
      forMs: 0,
      check(s) {
        const c = s.channels[channel];
        const stalled = c.queueDepth > 0 && c.oldestDueAgeMs > 5 * MINUTE && c.attemptsLast5m === 0;
        // A deliberate hold (maintenance) or a provider pause has its own signal; this one means "stuck".
        const explained = s.maintenance || c.paused !== null;
        return {
          active: stalled && !explained,
          value: Math.round(c.oldestDueAgeMs / 1000),
          summary: `no ${channel} delivery attempted in 5 min while ${c.queueDepth} are due (oldest waits ${Math.round(c.oldestDueAgeMs / 1000)} s)`,
        };
      },
    },
    {
      name: `HeraldDeliveryLatencyHigh:${channel}`,
      alert: "HeraldDeliveryLatencyHigh",
      severity: "warning",
      channel,
      forMs: 5 * MINUTE,
      check(s) {
        const { count, avgMs } = s.channels[channel].latency;
        const seconds = round(avgMs / 1000, 2);
        return {
          active: count > 0 && avgMs > 30_000,
          value: seconds,
          summary: `${channel} deliveries took ${seconds} s on average from creation to the provider (limit 30 s, ${count} sent in 15 min)`,
        };
      },
    },
    {
      name: `HeraldChannelPaused:${channel}`,
      alert: "HeraldChannelPaused",
      severity: "critical",
      channel,
      forMs: 0,
      check(s) {
        const paused = s.channels[channel].paused;
        const minutes = paused ? Math.max(0, Math.ceil((paused.until - s.now) / MINUTE)) : 0;
        return {
          active: paused !== null,
          value: paused ? 1 : 0,
          summary: paused
            ? `${channel} paused by the provider (${paused.code}) for about ${minutes} more min`
            : `${channel} not paused`,
        };
      },
    },
  ];
}

/** Every rule instance, in a stable order (per channel first, then the global ones). */
export const ALERT_RULES: readonly AlertRule[] = [
  ...perChannel("email"),
  ...perChannel("sms"),
  {
    name: "HeraldSmsHeldUnknown",
    alert: "HeraldSmsHeldUnknown",
    severity: "warning",
    channel: null,
    forMs: 0,
    check: (s) => ({
      active: s.smsUnknown > 0,
      value: s.smsUnknown,
      summary: `${s.smsUnknown} SMS held as unknown after a crash mid-send: check, then retry or cancel them`,
    }),
  },
  {
    name: "HeraldNotificationLoop",
    alert: "HeraldNotificationLoop",
    severity: "warning",
    channel: null,
    forMs: 0,
    check: (s) => ({
      active: s.loopSkipsLastHour > 0,
      value: s.loopSkipsLastHour,
      summary: `${s.loopSkipsLastHour} deliveries skipped by the loop guard in the last hour (see the loops report)`,
    }),
  },
  {
    name: "HeraldSmsCostHourly",
    alert: "HeraldSmsCostHourly",
    severity: "warning",
    channel: null,
    forMs: 0,
    check: (s, t) => ({
      active: s.smsCostLastHourUsd > t.smsCostHourUsd,
      value: round(s.smsCostLastHourUsd),
      summary: `SMS spend ${usd(s.smsCostLastHourUsd)} in the last hour (limit ${usd(t.smsCostHourUsd)})`,
    }),
  },
  {
    name: "HeraldSmsCostDaily",
    alert: "HeraldSmsCostDaily",
    severity: "warning",
    channel: null,
    forMs: 0,
    check: (s, t) => ({
      active: s.smsCostLastDayUsd > t.smsCostDayUsd,
      value: round(s.smsCostLastDayUsd),
      summary: `SMS spend ${usd(s.smsCostLastDayUsd)} in the last 24 hours (limit ${usd(t.smsCostDayUsd)})`,
    }),
  },
  budgetRule("HeraldSmsBudgetWarning", "warning", 0.8),
  budgetRule("HeraldSmsBudgetExhausted", "critical", 1),
];

/** Budget use at or above `share` of the daily or the monthly limit. */
function budgetRule(name: string, severity: AlertSeverity, share: number): AlertRule {
  return {
    name,
    alert: name,
    severity,
    channel: null,
    forMs: 0,
    check(s) {
      const b = s.smsBudget;
      const day = b.dailyLimitUsd > 0 ? b.dayUsd / b.dailyLimitUsd : 0;
      const month = b.monthlyLimitUsd > 0 ? b.monthUsd / b.monthlyLimitUsd : 0;
      const used = Math.max(day, month);
      return {
        active: used >= share,
        value: round(used),
        summary: `SMS budget ${pct(day)} of ${usd(b.dailyLimitUsd)} today, ${pct(month)} of ${usd(b.monthlyLimitUsd)} this month (alert at ${pct(share)})`,
      };
    },
  };
}

/** The states an alert goes through: ok → pending → firing → ok. */
export const ALERT_STATES = ["ok", "pending", "firing"] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];

/** An alert's stored state (a row of `alert_states`). */
export interface AlertState {
  state: AlertStateName;
  /** When the current state began. */
  since: number;
  /**
   * Null while an email for this state is owed (a firing alert, or the resolution of one that was emailed);
   * set once it went out or when nothing is owed.
   */
  notifiedAt: number | null;
}

/**
 * The next state of a rule: ok → pending (condition holds) → firing (held for `forMs`) → ok (condition gone).
 * A rule with `forMs` 0 fires at once. An email is owed on firing and on resolving an alert whose firing was
 * emailed (nobody needs "resolved" for an alert they never heard of).
 */
export function nextAlertState(
  previous: AlertState | undefined,
  active: boolean,
  forMs: number,
  now: number,
): AlertState {
  const state = previous?.state ?? "ok";
  if (!active) {
    if (state === "firing")
      return { state: "ok", since: now, notifiedAt: previous?.notifiedAt != null ? null : now };
    if (state === "ok" && previous) return previous;
    return { state: "ok", since: now, notifiedAt: now };
  }
  if (state === "firing" && previous) return previous;
  if (state === "pending" && previous) {
    return now - previous.since >= forMs ? { state: "firing", since: now, notifiedAt: null } : previous;
  }
  return forMs <= 0
    ? { state: "firing", since: now, notifiedAt: null }
    : { state: "pending", since: now, notifiedAt: now };
}

/** Whether a state owes an email (see {@link AlertState.notifiedAt}). */
export function emailOwed(state: AlertState): boolean {
  return state.notifiedAt === null && state.state !== "pending";
}
