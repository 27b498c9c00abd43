/**
 * Reading and changing the operator settings (maintenance, rollout, SMS budget, loop guard). Every notification
 * and every worker claim consults them, so reads are cached for `OPS_SETTINGS_CACHE_MS` (caches.ts): a change made in
 * this process applies at once, one made by another process sharing the database (the `herald` CLI, a second
 * Herald) within that time.
 */
import type { Queryable } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { getSetting, putSetting } from "../settings/settings.repo.ts";
import {
  applyOpsSettingsPatch,
  changedFields,
  defaultOpsSettings,
  effectiveOpsSettings,
  OPS_SETTINGS_KEY,
  type OpsSettings,
  type OpsSettingsPatch,
  opsSettingsIssues,
  type StoredOpsSettings,
} from "./ops-settings.rules.ts";

/** What reading the settings needs (a subset of Deps, so the engine can use it before Deps exists). */
export type OpsSettingsSource = Pick<Deps, "db" | "config" | "caches">;

/** The settings in force, read on `q` without the cache (inside a transaction, or for the admin API). */
export async function readOpsSettings(
  q: Queryable,
  config: OpsSettingsSource["config"],
): Promise<OpsSettings> {
  return effectiveOpsSettings(
    defaultOpsSettings(config),
    await getSetting<StoredOpsSettings>(q, OPS_SETTINGS_KEY),
  );
}

/**
 * The settings in force, cached (the hot path: every notification and the maintenance check). `now` is
 * monotonic ms (`performance.now()`) and only ages the cache; tests pass a later one to skip ahead.
 */
export async function getOpsSettings(source: OpsSettingsSource, now?: number): Promise<OpsSettings> {
  const seen = source.caches.settingsSeen;
  const version = seen.version;
  const settings = (await source.caches.opsSettings.get(
    OPS_SETTINGS_KEY,
    () => readOpsSettings(source.db.read, source.config),
    now,
  )) as OpsSettings;
  if (seen.version === version) seen.latest = settings;
  return settings;
}

/** Where a settings change came from, for the change log: the API, the `herald` CLI or the admin console. */
export type OpsSettingsChangeSource = "api" | "cli" | "admin";

/**
 * Applies a partial update and returns the settings now in force; switching maintenance off wakes the workers.
 * Invalid combinations are refused with `validation-failed` and change nothing. The change is logged by field
 * name (never the maintenance note, which is free text).
 */
export async function updateOpsSettings(
  deps: Pick<Deps, "db" | "config" | "caches" | "clock" | "logger" | "wakeups">,
  patch: OpsSettingsPatch,
  source: OpsSettingsChangeSource,
): Promise<OpsSettings> {
  const now = deps.clock.now();
  const defaults = defaultOpsSettings(deps.config);
  const { before, after } = await deps.db.write(async (tx) => {
    const stored = (await getSetting<StoredOpsSettings>(tx, OPS_SETTINGS_KEY)) ?? {};
    const next = applyOpsSettingsPatch(stored, patch, now);
    const after = effectiveOpsSettings(defaults, next);
    const issues = opsSettingsIssues(after);
    if (issues.length > 0)
      throw new AppError("validation-failed", "The settings are not consistent", { errors: issues });
    await putSetting(tx, OPS_SETTINGS_KEY, next, now);
    return { before: effectiveOpsSettings(defaults, stored), after };
  });
  deps.caches.opsSettings.clear();
  const seen = deps.caches.settingsSeen;
  seen.version++;
  seen.latest = after;
  // Workers sleep through maintenance; the end of it wakes them here (another process's workers see it on their poll).
  if (before.maintenance.enabled && !after.maintenance.enabled) {
    deps.wakeups.notify("email");
    deps.wakeups.notify("sms");
  }
  deps.logger.info("operator settings changed", {
    source,
    changed: changedFields(before, after),
    maintenance: after.maintenance.enabled,
  });
  return after;
}

/**
 * The delivery engine's `sendingAllowed` check: false while maintenance mode is on. Workers call it before every
 * claim, so it answers synchronously from the newest settings seen and starts a (cached) re-read in the
 * background; a change by another process is therefore seen within about `OPS_SETTINGS_CACHE_MS` (caches.ts). Reads
 * the settings once before returning, so a process started during maintenance never claims.
 */
export async function maintenanceGate(
  source: OpsSettingsSource & Pick<Deps, "logger">,
): Promise<() => boolean> {
  const seen = source.caches.settingsSeen;
  await getOpsSettings(source);
  return () => {
    if (!seen.refreshing) {
      seen.refreshing = true;
      getOpsSettings(source)
        .catch((error: Error) =>
          source.logger.warn("reading operator settings failed; keeping the last ones", {
            error: error.name,
            message: error.message,
          }),
        )
        .finally(() => {
          seen.refreshing = false;
        });
    }
    return !seen.latest?.maintenance.enabled;
  };
}
