import { createCaches } from "./caches.ts";
import { createProviders } from "./channels/providers.ts";
import type { Providers } from "./channels/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { createDeliveryEngine } from "./delivery/delivery-engine.ts";
import { createDeliveryWakeups, type DeliveryWakeups } from "./delivery/delivery-wakeups.ts";
import type { Deps } from "./deps.ts";
import { fetchSnsHttp, type SnsHttp } from "./domain/feedback/sns-http.ts";
import { createInboxEvents } from "./domain/inbox/inbox.events.ts";
import { createInboxFeed } from "./domain/inbox/inbox.feed.ts";
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
import type { ServerDeps } from "./server-deps.ts";
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
  /** Where the services' commits announce due deliveries (the server passes the one its engine listens to). */
  wakeups?: DeliveryWakeups;
}

/**
 * The domain's dependencies on `config`: opens and migrates the database and loads the recipient-token secret.
 * Everything a CLI command needs; no providers, delivery engine, schedulers, lag monitor, Sentry or seeding
 * (those are the server's: {@link createServerDeps}).
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
  return {
    config,
    db,
    clock,
    logger,
    tokenSecret,
    inboxEvents: createInboxEvents(),
    wakeups: overrides.wakeups ?? createDeliveryWakeups(),
    metrics: createHeraldMetrics(),
    errors: overrides.errors ?? noErrorTracker,
    snsHttp: overrides.snsHttp ?? fetchSnsHttp(config.HERALD_PROVIDER_TIMEOUT_MS),
    caches: createCaches(),
  };
}

/**
 * The server's dependencies: the domain's, with Sentry when configured, the providers, the delivery engine, the
 * schedulers and the lag monitor wired on them, the metrics collectors registered, and default content seeded
 * on first start (when HERALD_SEED is on). Nothing is started: `main.ts` starts it, tests drive it by hand.
 */
export async function createServerDeps(config: Config, overrides: DepsOverrides = {}): Promise<ServerDeps> {
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
  const base = await createDeps(config, { ...overrides, errors, wakeups });
  const providers: Providers = { ...createProviders(config, base.db, base.clock), ...overrides.providers };
  const delivery = createDeliveryEngine(
    { ...base, providers, wakeups },
    {
      random: overrides.random,
      sendingAllowed: await maintenanceGate(base),
      timers: overrides.workerTimers,
    },
  );
  const engineDeps = { ...base, providers, delivery };
  const deps: ServerDeps = {
    ...engineDeps,
    schedulers: createSchedulers(engineDeps),
    loopLag: createEventLoopLagMonitor(base.metrics.eventLoopLag),
    inboxFeed: createInboxFeed(base),
  };
  registerCollectors(deps);
  if (config.HERALD_SEED) await seedDefaults(deps);
  return deps;
}
