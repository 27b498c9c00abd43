import { createProviders } from "./channels/providers.ts";
import type { Providers } from "./channels/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { createDeliveryEngine } from "./delivery/delivery-engine.ts";
import { createDeliveryWakeups } from "./delivery/delivery-wakeups.ts";
import type { Deps } from "./deps.ts";
import { fetchSnsHttp, type SnsHttp } from "./domain/feedback/sns-http.ts";
import { createInboxEvents } from "./domain/inbox/inbox.events.ts";
import { maintenanceGate } from "./domain/ops-settings/ops-settings.service.ts";
import { generateTokenSecret } from "./domain/recipient-tokens/recipient-tokens.ts";
import { seedDefaults } from "./domain/seed/seed.ts";
import { putSettingIfAbsent } from "./domain/settings/settings.repo.ts";
import { createLogger, type Logger } from "./logger.ts";
import { type ErrorTracker, noErrorTracker } from "./observability/error-tracker.ts";
import { createEventLoopLagMonitor } from "./observability/event-loop-lag.ts";
import { createHeraldMetrics } from "./observability/herald-metrics.ts";
import { registerCollectors } from "./observability/metrics.collectors.ts";
import { createSentryTracker } from "./observability/sentry.tracker.ts";
import { createSchedulers } from "./schedulers/schedulers.ts";
import type { Timers } from "./timers.ts";

/** What tests (or other entry points) may replace when building deps. */
export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the configured email and/or SMS provider (tests: fakes, or SES/SNS against a fake endpoint). */
  providers?: Partial<Providers>;
  /** Randomness for retry jitter (tests pin it). */
  random?: () => number;
  /** Replaces the error tracker (tests capture what would be reported). */
  errors?: ErrorTracker;
  /** Replaces the SNS webhook's outbound HTTPS (tests serve a test signing certificate). */
  snsHttp?: SnsHttp;
  /** The timers the worker loops sleep on (tests fire them by hand). */
  workerTimers?: Timers;
}

/**
 * Builds the dependencies on `config`: opens and migrates the database, seeds default content on first start
 * (when HERALD_SEED is on) and loads the recipient-token secret. Shared by the server, the CLI and tests.
 */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.HERALD_LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  const db = await openDatabase({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
    onBusy: ({ attempt, waitedMs }) =>
      logger.warn("database busy, retrying on a fresh connection", { attempt, waitedMs }),
  });
  await db.migrate();
  const tokenSecret =
    config.HERALD_TOKEN_SECRET ??
    (await db.write((tx) =>
      putSettingIfAbsent(tx, "recipient-token-secret", generateTokenSecret(), clock.now()),
    ));
  const configured = createProviders(config, db, clock);
  const providers: Providers = { ...configured, ...overrides.providers };
  const metrics = createHeraldMetrics();
  const errors =
    overrides.errors ??
    (config.SENTRY_DSN
      ? createSentryTracker({
          dsn: config.SENTRY_DSN,
          environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
          release: config.SENTRY_RELEASE ?? config.HERALD_RELEASE,
        })
      : noErrorTracker);
  const wakeups = createDeliveryWakeups();
  const delivery = createDeliveryEngine(
    { config, db, clock, logger, tokenSecret, providers, metrics, errors, wakeups },
    {
      random: overrides.random,
      sendingAllowed: await maintenanceGate({ db, config, logger }),
      timers: overrides.workerTimers,
    },
  );
  const loopLag = createEventLoopLagMonitor(metrics.eventLoopLag);
  const snsHttp = overrides.snsHttp ?? fetchSnsHttp(config.HERALD_PROVIDER_TIMEOUT_MS);
  const base = {
    config,
    db,
    clock,
    logger,
    tokenSecret,
    inboxEvents: createInboxEvents(),
    providers,
    delivery,
    wakeups,
    loopLag,
    metrics,
    errors,
    snsHttp,
  };
  const deps: Deps = { ...base, schedulers: createSchedulers(base) };
  registerCollectors(deps);
  if (config.HERALD_SEED) await seedDefaults(deps);
  return deps;
}
