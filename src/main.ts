import { createApp } from "./app.ts";
import { createDeps } from "./bootstrap.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { ensureAdminKey } from "./domain/api-keys/api-keys.service.ts";

/**
 * The server: config → deps (migrate, seed) → HTTP. SIGTERM/SIGINT stop accepting requests, let queued writes
 * commit, close the database and exit 0.
 */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const deps = await createDeps(config);
  const generated = await ensureAdminKey(deps, config.HERALD_ADMIN_KEY);
  if (generated) {
    // Printed once, to the terminal only (not the JSON log stream): it is not stored in clear anywhere.
    console.error(
      `\n  No admin API key was configured, so one was generated. It is shown only this once:\n\n    ${generated}\n\n` +
        "  Use it as 'Authorization: Bearer <key>'. Create more with 'herald keys create'.\n",
    );
  }
  const app = createApp(deps);
  const server = Bun.serve({ port: config.PORT, fetch: app.fetch, idleTimeout: 0 });
  deps.logger.info("herald listening", { port: server.port, database: config.DATABASE_URL.split(":")[0] });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info("shutting down", { signal });
    await server.stop();
    await deps.db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
