/**
 * The in-process alert evaluator: reads a snapshot, runs every rule, moves each rule's state (ok → pending →
 * firing → ok) and persists it in `alert_states` (and each change in `alert_events`) in one transaction, so a
 * restart neither forgets a pending
 * alert's start nor re-sends an alert email. Also the read side: the alert list for `GET /v1/alerts` and health.
 */
import { eq, sql } from "drizzle-orm";
import { alertEvents, alertStates } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import type { Config } from "../config.ts";
import type { Deps } from "../deps.ts";
import { newId } from "../ids.ts";
import type { ServerDeps } from "../server-deps.ts";
import {
  ALERT_RULES,
  type AlertSeverity,
  type AlertStateName,
  type AlertThresholds,
  nextAlertState,
} from "./alert-definitions.rules.ts";
import { readAlertSnapshot } from "./alert-snapshot.ts";

/** What the alert modules use: everything but the schedulers (the alerts scheduler is one of them). */
export type AlertDeps = Deps & Pick<ServerDeps, "delivery">;

/** One rule with its current state, as the API and health report it. */
export interface AlertView {
  name: string;
  alert: string;
  severity: AlertSeverity;
  channel: Channel | null;
  state: AlertStateName;
  /** When the current state began; null for a rule never evaluated. */
  since: number | null;
  value: number | null;
  summary: string;
  forMs: number;
}

/** What one evaluation changed. */
export interface EvaluationResult {
  firing: string[];
  /** Rules whose state changed, as `name: from → to`. */
  changes: { name: string; from: string; to: string }[];
}

/** The configured thresholds. */
export function alertThresholds(config: Config): AlertThresholds {
  return {
    smsCostHourUsd: config.HERALD_ALERT_SMS_COST_HOUR_USD,
    smsCostDayUsd: config.HERALD_ALERT_SMS_COST_DAY_USD,
  };
}

/** Evaluates every rule now and persists the new states; logs each change and updates `herald_alerts_firing`. */
export async function evaluateAlerts(deps: AlertDeps): Promise<EvaluationResult> {
  const snapshot = await readAlertSnapshot(deps);
  const thresholds = alertThresholds(deps.config);
  const now = snapshot.now;
  const checks = ALERT_RULES.map((rule) => ({ rule, check: rule.check(snapshot, thresholds) }));
  const { changes, states } = await deps.db.write(async (tx) => {
    const stored = new Map((await tx.select().from(alertStates)).map((row) => [row.name, row]));
    const changed: EvaluationResult["changes"] = [];
    const events: (typeof alertEvents.$inferInsert)[] = [];
    const rows = checks.map(({ rule, check }) => {
      const previous = stored.get(rule.name);
      // Only the state machine's fields come from the transition: while a rule stays in one state, its
      // previous row comes back whole, and its old value and summary must not cover the fresh ones.
      const { state, since, notifiedAt } = nextAlertState(previous, check.active, rule.forMs, now);
      const from = previous?.state ?? "ok";
      if (from !== state) {
        changed.push({ name: rule.name, from, to: state });
        events.push({
          id: newId(now),
          name: rule.name,
          severity: rule.severity,
          from,
          to: state,
          value: check.value,
          summary: check.summary,
          at: now,
        });
      }
      return {
        name: rule.name,
        severity: rule.severity,
        value: check.value,
        summary: check.summary,
        state,
        since,
        notifiedAt,
        updatedAt: now,
      };
    });
    await tx
      .insert(alertStates)
      .values(rows)
      .onConflictDoUpdate({
        target: alertStates.name,
        set: {
          state: sql`excluded.state`,
          severity: sql`excluded.severity`,
          value: sql`excluded.value`,
          summary: sql`excluded.summary`,
          since: sql`excluded.since`,
          notifiedAt: sql`excluded.notified_at`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
    // The history (alert-history.ts): each change, in the same transaction as the state it led to.
    if (events.length > 0) await tx.insert(alertEvents).values(events);
    return { changes: changed, states: rows };
  });
  for (const change of changes) {
    const row = states.find((r) => r.name === change.name);
    const fields = {
      alert: change.name,
      from: change.from,
      to: change.to,
      value: row?.value,
      summary: row?.summary,
    };
    if (change.to === "firing") deps.logger.warn("alert firing", fields);
    else deps.logger.info("alert state changed", fields);
  }
  for (const rule of ALERT_RULES) {
    // One series per alert name and severity: 1 while any instance (any channel) fires.
    const on = states.some((r, i) => ALERT_RULES[i]?.alert === rule.alert && r.state === "firing");
    deps.metrics.alertsFiring.set({ alert: rule.alert, severity: rule.severity }, on ? 1 : 0);
  }
  return { firing: states.filter((r) => r.state === "firing").map((r) => r.name), changes };
}

/** Every rule with its stored state (rules never evaluated show as ok with no `since`). */
export async function listAlerts(deps: Pick<Deps, "db">): Promise<AlertView[]> {
  const stored = new Map((await deps.db.read.select().from(alertStates)).map((row) => [row.name, row]));
  return ALERT_RULES.map((rule) => {
    const row = stored.get(rule.name);
    return {
      name: rule.name,
      alert: rule.alert,
      severity: rule.severity,
      channel: rule.channel,
      state: row?.state ?? "ok",
      since: row?.since ?? null,
      value: row?.value ?? null,
      summary: row?.summary ?? "",
      forMs: rule.forMs,
    };
  });
}

/** The alert list of `GET /v1/alerts`: the rules (optionally only those in `state`) and the names firing. */
export async function alertList(
  deps: Pick<Deps, "db">,
  filter: { state?: AlertView["state"] } = {},
): Promise<{ alerts: AlertView[]; firing: string[] }> {
  const all = await listAlerts(deps);
  return {
    alerts: filter.state ? all.filter((a) => a.state === filter.state) : all,
    firing: all.filter((a) => a.state === "firing").map((a) => a.name),
  };
}

/** The names of the rules firing now (for readiness). */
export async function firingAlerts(deps: Pick<Deps, "db">): Promise<string[]> {
  const rows = await deps.db.read
    .select({ name: alertStates.name })
    .from(alertStates)
    .where(eq(alertStates.state, "firing"));
  const known = new Set(ALERT_RULES.map((r) => r.name));
  return rows.map((r) => r.name).filter((name) => known.has(name));
}
