/**
 * Every cache of database reads one Herald holds, built by the composition root (`bootstrap.ts`) with the rest
 * of its dependencies: two apps in one process (tests, a CLI command next to a server) never share one, and
 * dropping the deps drops them. Each lives one second, so a change made by another process sharing the database
 * (the CLI, another Herald) shows up within a second; a change made through this process clears it at once.
 *
 * What stays at module level is memoisation keyed by its own input, which no database can make stale: compiled
 * Liquid (keyed by the template's source), `Intl` time-zone formatters, prepared statements (per connection),
 * query builders, the email layouts read from `templates/`, and the route-pattern regexes.
 */
import { createReadCache, type ReadCache } from "./db/read-cache.ts";
import type { Scope } from "./domain/api-keys/scopes.rules.ts";
import type { OpsSettings } from "./domain/ops-settings/ops-settings.rules.ts";
import type { Branding, TemplateRecord } from "./domain/templates/templates.types.ts";

/** How long operator settings are served before they are read again (every create and worker claim reads them). */
export const OPS_SETTINGS_CACHE_MS = 1_000;
/** How long a template read for a notification is reused. */
export const TEMPLATE_CACHE_MS = 1_000;
/** How long branding is reused (every email reads it). */
export const BRANDING_CACHE_MS = 1_000;
/** How long a verified API key is trusted: a revocation by another process takes effect within it. */
export const KEY_CACHE_MS = 1_000;

/**
 * The newest operator settings this app has seen, for the delivery engine's synchronous maintenance check, and a
 * version bumped by each change made here, so a read that raced the change cannot put the old value back.
 */
export interface SettingsSeen {
  latest: OpsSettings | null;
  version: number;
  refreshing: boolean;
}

/** An API key as authentication needs it. */
export interface VerifiedKey {
  id: string;
  scopes: Scope[];
}

export interface Caches {
  opsSettings: ReadCache<OpsSettings>;
  settingsSeen: SettingsSeen;
  templates: ReadCache<TemplateRecord>;
  branding: ReadCache<Branding>;
  apiKeys: ReadCache<VerifiedKey>;
}

export function createCaches(): Caches {
  return {
    opsSettings: createReadCache(OPS_SETTINGS_CACHE_MS),
    settingsSeen: { latest: null, version: 0, refreshing: false },
    templates: createReadCache(TEMPLATE_CACHE_MS, 1000),
    branding: createReadCache(BRANDING_CACHE_MS),
    apiKeys: createReadCache(KEY_CACHE_MS),
  };
}
