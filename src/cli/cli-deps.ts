import { createDeps } from "../bootstrap.ts";
import { createProviders } from "../channels/providers.ts";
import type { Providers } from "../channels/types.ts";
import type { Config } from "../config.ts";
import type { Deps } from "../deps.ts";
import { createLogger } from "../logger.ts";

/**
 * Deps for a one-shot command: the migrated database and the domain's effects, nothing the server runs (no
 * delivery engine, schedulers, lag monitor, Sentry or seeding), and logs on stderr so stdout carries only the
 * command's output. Closes the database when `work` is done.
 */
export async function withDeps<T>(config: Config, work: (deps: Deps) => Promise<T>): Promise<T> {
  const logger = createLogger(config.HERALD_LOG_LEVEL, (line) => process.stderr.write(line));
  const deps = await createDeps(config, { logger });
  try {
    return await work(deps);
  } finally {
    await deps.db.close();
  }
}

/** {@link withDeps} plus the configured email and SMS providers, for the commands that send (`test-email`, `test-sms`). */
export function withProviders<T>(
  config: Config,
  work: (deps: Deps & { providers: Providers }) => Promise<T>,
): Promise<T> {
  return withDeps(config, (deps) =>
    work({ ...deps, providers: createProviders(config, deps.db, deps.clock) }),
  );
}
