/**
 * The operator settings document: maintenance mode, per-channel rollout, SMS budget and loop guard. Only what an
 * operator set is stored; everything else comes from configuration, so changing an environment default still
 * takes effect for the fields nobody overrode. Pure functions: merging a partial update and checking the result.
 */

import { CHANNELS } from "../../channels/types.ts";
import type { Config } from "../../config.ts";
import { definedFields } from "../defined-fields.rules.ts";

/** Recipient kinds a `kinds` rollout can list. */
export type RecipientKind = "technician" | "customer" | "staff";

/** How far one channel is rolled out. */
export interface Rollout {
  /** `all` (default), `none`, `staff` (staff recipients only), `percent` (stable share of recipients), `kinds`. */
  mode: "all" | "none" | "staff" | "percent" | "kinds";
  /** For `percent`: 0-100, the share of recipients (by a stable hash of their id) that get the channel. */
  percent: number;
  /** For `kinds`: the recipient kinds that get the channel. */
  kinds: RecipientKind[];
}

/** Maintenance mode: while enabled, workers claim nothing and deliveries wait in the queue. */
export interface Maintenance {
  enabled: boolean;
  /** The operator's note (shown in health and the CLI). */
  reason: string | null;
  /** When maintenance was switched on (epoch ms), null while off. */
  since: number | null;
}

/** The settings in force. */
export interface OpsSettings {
  maintenance: Maintenance;
  rollout: { email: Rollout; sms: Rollout };
  smsBudget: { dailyUsd: number; monthlyUsd: number };
  loopGuard: { max: number; windowMinutes: number };
}

/** What is stored under {@link OPS_SETTINGS_KEY}: only the fields an operator set. */
export interface StoredOpsSettings {
  maintenance?: Maintenance;
  rollout?: { email?: Partial<Rollout>; sms?: Partial<Rollout> };
  smsBudget?: Partial<OpsSettings["smsBudget"]>;
  loopGuard?: Partial<OpsSettings["loopGuard"]>;
}

/** A partial update (`PUT /v1/settings`, `herald maintenance`): left-out fields keep their value. */
export interface OpsSettingsPatch {
  maintenance?: { enabled: boolean; reason?: string | null };
  rollout?: { email?: Partial<Rollout>; sms?: Partial<Rollout> };
  smsBudget?: Partial<OpsSettings["smsBudget"]>;
  loopGuard?: Partial<OpsSettings["loopGuard"]>;
}

/** The settings key the document is stored under. */
export const OPS_SETTINGS_KEY = "operations";

const fullRollout: Rollout = { mode: "all", percent: 100, kinds: [] };

/** The settings when an operator changed nothing: maintenance off, every channel for everyone, config limits. */
export function defaultOpsSettings(config: Config): OpsSettings {
  return {
    maintenance: { enabled: false, reason: null, since: null },
    rollout: { email: fullRollout, sms: fullRollout },
    smsBudget: {
      dailyUsd: config.HERALD_SMS_DAILY_BUDGET_USD,
      monthlyUsd: config.HERALD_SMS_MONTHLY_BUDGET_USD,
    },
    loopGuard: { max: config.HERALD_LOOP_MAX, windowMinutes: config.HERALD_LOOP_WINDOW_MINUTES },
  };
}

/** The settings in force: the stored overrides over the defaults, section by section. */
export function effectiveOpsSettings(
  defaults: OpsSettings,
  stored: StoredOpsSettings | undefined,
): OpsSettings {
  return {
    maintenance: stored?.maintenance ?? defaults.maintenance,
    rollout: {
      email: { ...defaults.rollout.email, ...stored?.rollout?.email },
      sms: { ...defaults.rollout.sms, ...stored?.rollout?.sms },
    },
    smsBudget: { ...defaults.smsBudget, ...stored?.smsBudget },
    loopGuard: { ...defaults.loopGuard, ...stored?.loopGuard },
  };
}

/**
 * Applies `patch` to the stored overrides. Maintenance keeps its `since` while it stays on (a new reason does
 * not restart it), takes `now` when switched on and forgets reason and since when switched off.
 */
export function applyOpsSettingsPatch(
  stored: StoredOpsSettings,
  patch: OpsSettingsPatch,
  now: number,
): StoredOpsSettings {
  const next: StoredOpsSettings = { ...stored };
  if (patch.maintenance) {
    const before = stored.maintenance;
    next.maintenance = patch.maintenance.enabled
      ? {
          enabled: true,
          reason:
            patch.maintenance.reason !== undefined ? patch.maintenance.reason : (before?.reason ?? null),
          since: before?.enabled && before.since !== null ? before.since : now,
        }
      : { enabled: false, reason: null, since: null };
  }
  if (patch.rollout) {
    next.rollout = {
      email: { ...stored.rollout?.email, ...definedFields(patch.rollout.email ?? {}) },
      sms: { ...stored.rollout?.sms, ...definedFields(patch.rollout.sms ?? {}) },
    };
  }
  if (patch.smsBudget) next.smsBudget = { ...stored.smsBudget, ...definedFields(patch.smsBudget) };
  if (patch.loopGuard) next.loopGuard = { ...stored.loopGuard, ...definedFields(patch.loopGuard) };
  return next;
}

/**
 * What is wrong with the settings as a whole (field checks live in the request schema): a `kinds` rollout
 * needs at least one kind, and the daily SMS budget cannot exceed the monthly one.
 */
export function opsSettingsIssues(settings: OpsSettings): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const channel of CHANNELS) {
    const rollout = settings.rollout[channel];
    if (rollout.mode === "kinds" && rollout.kinds.length === 0) {
      issues.push({
        path: `rollout.${channel}.kinds`,
        message: "a 'kinds' rollout needs at least one recipient kind",
      });
    }
  }
  if (settings.smsBudget.dailyUsd > settings.smsBudget.monthlyUsd) {
    issues.push({ path: "smsBudget.dailyUsd", message: "must not exceed smsBudget.monthlyUsd" });
  }
  return issues;
}

/** Dotted names of the fields whose value differs between `before` and `after` (for the change log). */
export function changedFields(before: OpsSettings, after: OpsSettings): string[] {
  const changed: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a)) {
      for (const key of Object.keys({ ...a, ...b })) {
        walk(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          path ? `${path}.${key}` : key,
        );
      }
    } else if (JSON.stringify(a) !== JSON.stringify(b)) changed.push(path);
  };
  walk(before, after, "");
  return changed;
}
