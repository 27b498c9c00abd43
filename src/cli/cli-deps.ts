import { createDeps } from "../bootstrap.ts";
import type { Config } from "../config.ts";
import type { Deps } from "../deps.ts";
import { createLogger } from "../logger.ts";

/**
 * Deps for a one-shot command: migrated database, no seeding (only `herald seed` and the server seed), and
 * logs on stderr so stdout carries only the command's output. Closes the database when `work` is done.
 */
export async function withDeps<T>(config: Config, work: (deps: Deps) => Promise<T>): Promise<T> {
  const logger = createLogger(config.HERALD_LOG_LEVEL, (line) => process.stderr.write(line));
  const deps = await createDeps({ ...config, HERALD_SEED: false }, { logger });
  try {
    return await work(deps);
  } finally {
    await deps.db.close();
  }
}
