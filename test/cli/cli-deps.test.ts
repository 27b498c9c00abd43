/**
 * A one-shot command builds only what commands use: the database and the domain's effects. No delivery engine,
 * schedulers, lag monitor or providers (only test-email and test-sms add providers), no Sentry even with a DSN
 * configured, and no seeding.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { templates } from "../../db/schema.ts";
import { withDeps, withProviders } from "../../src/cli/cli-deps.ts";
import { loadConfig } from "../../src/config.ts";
import { noErrorTracker } from "../../src/observability/error-tracker.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const config = loadConfig({
  DATABASE_URL: `file:${join(tempDir(), "cli.db")}`,
  HERALD_LOG_LEVEL: "silent",
  SENTRY_DSN: "https://public@sentry.example.com/1",
});

describe("CLI deps", () => {
  test("the database and the domain's effects only: no engine, schedulers, providers, Sentry or seed", async () => {
    const built = await withDeps(config, async (deps) => ({
      keys: Object.keys(deps).sort(),
      errors: deps.errors,
      templates: await deps.db.read.select().from(templates),
    }));
    expect(built.keys).toEqual([
      "caches",
      "clock",
      "config",
      "db",
      "errors",
      "inboxEvents",
      "logger",
      "metrics",
      "snsHttp",
      "tokenSecret",
      "wakeups",
    ]);
    expect(built.errors).toBe(noErrorTracker);
    expect(built.templates).toEqual([]);
  });

  test("test-email and test-sms get the configured providers on top", async () => {
    const names = await withProviders(config, async (deps) => [
      deps.providers.email.name,
      deps.providers.sms.name,
    ]);
    expect(names).toEqual(["outbox", "outbox"]);
  });
});
