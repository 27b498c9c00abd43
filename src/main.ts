import { createApp } from "./app.ts";
import { createServerDeps } from "./bootstrap.ts";
import { type Config, ConfigError, loadConfig, runsDelivery, servesApi } from "./config.ts";
import { isAuthError } from "./db/database.ts";
import { ensureAdminKey } from "./domain/api-keys/api-keys.service.ts";
import { createLogger } from "./logger.ts";
import type { ServerDeps } from "./server-deps.ts";

/** How long in-flight requests (and open event streams) get to finish after SIGTERM before they are cut. */
export const SHUTDOWN_GRACE_MS = 3000;

/** A running server, as returned by {@link serve}. */
export interface RunningServer {
  readonly port: number;
  readonly deps: ServerDeps;
  /**
   * Stops accepting connections, waits up to `graceMs` for in-flight requests (then closes the ones still
   * open, such as event streams), lets queued writes commit and closes the database. Safe to call twice.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts Herald on `config`: deps (open, migrate, seed) → admin key → HTTP, then the event-loop lag monitor, the
 * delivery engine and the schedulers. Shared by `src/main.ts` and `herald serve`.
 */
export async function serve(config: Config): Promise<RunningServer> {
  const deps = await createServerDeps(config);
  // A server checkpoints the WAL on a background thread, never inside a COMMIT on the event loop.
  await deps.db.startBackgroundCheckpoints();
  const generated = await ensureAdminKey(deps, config.HERALD_ADMIN_KEY);
  if (generated) {
    // Printed once, to the terminal only (not the JSON log stream): it is not stored in clear anywhere.
    console.error(
      `\n  No admin API key was configured, so one was generated. It is shown only this once:\n\n    ${generated}\n\n` +
        "  Use it as 'Authorization: Bearer <key>'. Create more with 'herald keys create'.\n",
    );
  }
  const app = createApp(deps);
  // A finite idle timeout, so silent and slow clients cannot hold connections for ever; event streams turn it off
  // for their own connection (routes/me).
  const server = Bun.serve({
    port: config.PORT,
    fetch: app.fetch,
    idleTimeout: config.HERALD_IDLE_TIMEOUT_SECONDS,
  });
  const port = server.port ?? config.PORT;
  const role = config.HERALD_ROLE;
  deps.logger.info("herald listening", { port, role, database: config.DATABASE_URL.split(":")[0] });
  deps.loopLag.start();
  // An `api` process leaves delivery and schedulers to the `worker` processes sharing its database; they find
  // what it commits on their next poll (within a second).
  if (runsDelivery(role)) {
    deps.delivery.start();
    for (const scheduler of deps.schedulers) scheduler.start();
  }
  if (servesApi(role)) deps.inboxFeed.start();

  let stopped: Promise<void> | null = null;
  async function shutdown(graceMs: number) {
    // Stop claiming at once; sends in progress finish (bounded by the provider timeout), the rest are released.
    const deliveryStopped = deps.delivery.stop();
    const schedulersStopped = Promise.all(deps.schedulers.map((s) => s.stop()));
    const drained = server.stop();
    const inTime = await Promise.race([drained.then(() => true), Bun.sleep(graceMs).then(() => false)]);
    if (!inTime) {
      deps.logger.warn("closing connections still open after the grace period", { graceMs });
      await server.stop(true);
    }
    await Promise.all([deliveryStopped, schedulersStopped]);
    deps.loopLag.stop();
    deps.inboxFeed.stop();
    await deps.errors.flush(2_000);
    // Waits for writes already queued (requests that were answered, or cut, still commit what they queued).
    await deps.db.close();
  }
  return {
    port,
    deps,
    stop: (graceMs = SHUTDOWN_GRACE_MS) => {
      stopped ??= shutdown(graceMs);
      return stopped;
    },
  };
}

/** Loads the configuration, or prints every bad key and exits 78 (EX_CONFIG). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * Runs the server until SIGTERM or SIGINT, then stops it gracefully. Resolves with the exit code: 0 after a
 * clean stop, 1 if stopping failed.
 */
export async function runServer(config: Config = loadConfigOrExit()): Promise<number> {
  // Listen before starting: a SIGTERM that lands while the server starts (or right after it reports
  // listening) must still mean a graceful stop, not the default kill.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.on("SIGTERM", resolve);
    process.on("SIGINT", resolve);
  });
  let running: RunningServer;
  try {
    running = await serve(config);
  } catch (error) {
    if (!isAuthError(error)) throw error;
    // Exit 78 (EX_CONFIG), which the systemd unit does not restart: only a new token fixes it.
    createLogger(config.HERALD_LOG_LEVEL).error(
      "the database refused Herald's credentials: set DATABASE_AUTH_TOKEN to a token the server accepts",
      { database: config.DATABASE_URL.split(":")[0], reason: (error as Error).message },
    );
    return 78;
  }
  const signal = await signalled;
  running.deps.logger.info("shutting down", { signal });
  try {
    await running.stop();
  } catch (error) {
    running.deps.logger.error("shutdown failed", {
      error: (error as Error).name,
      message: (error as Error).message,
    });
    return 1;
  }
  running.deps.logger.info("stopped", { signal });
  return 0;
}

if (import.meta.main) process.exit(await runServer());
