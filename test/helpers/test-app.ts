import { afterAll } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { createServerDeps, type DepsOverrides } from "../../src/bootstrap.ts";
import { FixedClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { createApiKey } from "../../src/domain/api-keys/api-keys.service.ts";
import { memoryLogger } from "../../src/logger.ts";
import type { ServerDeps } from "../../src/server-deps.ts";
import { checkResponse } from "./response-contract.ts";
import { onSqld, startSqld } from "./sqld.ts";
import { tempDir } from "./temp-dir.ts";

export { tempDir };

/** Options for {@link makeTestApp}. */
export interface TestAppOptions {
  env?: Record<string, string>;
  /** Seed default templates and rules (default true). */
  seed?: boolean;
  /** Start time of the fixed clock. */
  now?: number;
  /** Providers replacing the configured ones (e.g. `createFakeProviders(clock)`), and retry randomness. */
  providers?: DepsOverrides["providers"];
  random?: DepsOverrides["random"];
  /** The fixed clock to use (to share it with fakes built before the app). */
  clock?: FixedClock;
  /** The SNS webhook's outbound HTTPS (certificate fetch, subscription confirmation). */
  snsHttp?: DepsOverrides["snsHttp"];
  /** Timers the worker loops sleep on, for tests that start a worker loop and fire its timers by hand. */
  workerTimers?: DepsOverrides["workerTimers"];
}

/** What {@link makeTestApp} returns. */
export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: ServerDeps;
  clock: FixedClock;
  logs: ReturnType<typeof memoryLogger>["lines"];
  adminKey: string;
  portalKey: string;
  /** The database file; in the sqld pass nothing is there (suites about the file itself do not run on sqld). */
  dbPath: string;
  /** DATABASE_URL for another process (a CLI command, a second engine) on the same database: file or sqld. */
  databaseUrl: string;
  /** The delivery engine (not started): drive it with `tick()`, `runUntilIdle()` and `sweep()`. */
  delivery: ServerDeps["delivery"];
  /**
   * `app.request` with JSON encoding and a bearer key (admin by default; pass `key: null` for none). Every
   * response is checked against the route's declared OpenAPI responses (status, content type, zod schema) and
   * a mismatch throws; `checkResponse: false` skips that, for tests that deliberately provoke undeclared output.
   */
  call(method: string, path: string, options?: CallOptions): Promise<TestResponse>;
}

/** Options for {@link TestApp.call}. */
export interface CallOptions {
  body?: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  /** Check the response against the declared contract (default true). */
  checkResponse?: boolean;
}

/** A response whose `json()` is untyped, as tests assert on its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are asserted field by field
export type TestResponse = Omit<Response, "json"> & { json(): Promise<any> };

/**
 * Builds the real app on a temp-file database (never `:memory:`: libSQL swaps in an empty DB for
 * transactions), or on its own sqld in the sqld pass (`HERALD_TEST_DB=sqld`), a fixed clock and an in-memory
 * logger, with an admin and a portal key.
 */
export async function makeTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dbPath = join(tempDir(), "herald.db");
  const databaseUrl = onSqld ? (await startSqld()).url : `file:${dbPath}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HERALD_SEED: options.seed === false ? "false" : "true",
    HERALD_LOG_LEVEL: "debug",
    ...options.env,
  });
  const clock = options.clock ?? new FixedClock(options.now);
  const logger = memoryLogger();
  const deps = await createServerDeps(config, {
    clock,
    logger,
    providers: options.providers,
    random: options.random,
    snsHttp: options.snsHttp,
    workerTimers: options.workerTimers,
  });
  afterAll(() => deps.db.close());
  const app = createApp(deps);
  const adminKey = (await createApiKey(deps, { name: "test admin", scopes: ["admin"] })).key;
  const portalKey = (await createApiKey(deps, { name: "test portal", scopes: ["portal"] })).key;
  return {
    app,
    deps,
    clock,
    logs: logger.lines,
    adminKey,
    portalKey,
    dbPath,
    databaseUrl,
    delivery: deps.delivery,
    async call(method, path, { body, key = adminKey, headers = {}, checkResponse: check = true } = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      const h = init.headers as Record<string, string>;
      if (key !== null) h.authorization = `Bearer ${key}`;
      if (body !== undefined) {
        h["content-type"] ??= "application/json";
        init.body = typeof body === "string" ? body : JSON.stringify(body);
      }
      const response = await app.request(path, init);
      if (check) await checkResponse(app, method, path, response);
      return response;
    },
  };
}
