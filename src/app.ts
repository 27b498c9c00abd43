import { HTTPException } from "hono/http-exception";
import packageJson from "../package.json" with { type: "json" };
import { adminRoutes } from "./admin/index.tsx";
import { servesApi } from "./config.ts";
import { DatabaseBusyError, DatabaseDurabilityError, DatabaseOverloadedError } from "./db/database.ts";
import { AppError } from "./errors.ts";
import { authenticate } from "./http/auth.ts";
import { jsonBodyLimit } from "./http/body-limit.ts";
import { browserHeaders, noStore, recipientCors } from "./http/browser-headers.ts";
import { problemResponse } from "./http/problem.ts";
import { createRouter } from "./http/router.ts";
import { newId } from "./ids.ts";
import { httpRequestLabels } from "./observability/http-metrics.rules.ts";
import { redactSecrets } from "./observability/log-redaction.rules.ts";
import { docsRoutes } from "./routes/docs/index.ts";
import { healthRoutes } from "./routes/health/index.ts";
import { v1Routes } from "./routes/index.ts";
import { metricsRoutes } from "./routes/metrics/index.ts";
import { preferencePageRoutes } from "./routes/preference-page/index.tsx";
import { unsubscribeRoutes } from "./routes/unsubscribe/index.ts";
import { webhookRoutes } from "./routes/webhooks/index.ts";
import type { ServerDeps } from "./server-deps.ts";

/** Largest accepted request body (the JSON depth limit is `MAX_JSON_DEPTH` in http/json-depth.ts). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the HTTP application on `deps`: middleware, every route, the OpenAPI document and error mapping. */
export function createApp(deps: ServerDeps) {
  const app = createRouter();

  app.use("*", async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : newId();
    c.set("requestId", requestId);
    const started = performance.now();
    await next();
    const elapsedMs = performance.now() - started;
    c.res.headers.set("x-request-id", requestId);
    // Label and log the route pattern, never the raw URL: paths and queries can carry ids and tokens.
    deps.metrics.httpRequestDuration.observe(
      httpRequestLabels(c.req.routePath, c.req.method, c.res.status),
      elapsedMs / 1000,
    );
    // An event stream lasts as long as its client stays: it is not a request's latency.
    if (!c.res.headers.get("content-type")?.startsWith("text/event-stream")) {
      deps.metrics.recent.requests.record(elapsedMs, deps.clock.now());
    }
    deps.logger.debug("request", {
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(elapsedMs * 100) / 100,
    });
  });

  app.use("*", browserHeaders(deps.config));
  app.use("/v1/*", noStore);
  app.use("/unsubscribe", noStore);
  app.use("/preferences", noStore);
  // CORS before authentication: a preflight carries no credentials and must not be answered with a 401.
  app.use("/v1/me/*", recipientCors(deps.config));
  // Authentication first: a caller without a key gets its 401 before Herald reads a byte of the body.
  app.use("/v1/*", authenticate(deps));
  // Size and JSON depth, once for every route that reads JSON, before any parser, validator or hash sees it.
  // The SNS webhook keeps its own, smaller size limit on its route; this gate bounds what is read before that.
  const bodyLimit = jsonBodyLimit({
    maxBytes: MAX_BODY_BYTES,
    timeoutMs: deps.config.HERALD_BODY_TIMEOUT_MS,
  });
  app.use("/v1/*", bodyLimit);
  app.use("/webhooks/*", bodyLimit);
  // The recipient pages post small forms: a few KiB at most.
  const formLimit = jsonBodyLimit({ maxBytes: 64 * 1024, timeoutMs: deps.config.HERALD_BODY_TIMEOUT_MS });
  app.use("/preferences", formLimit);
  app.use("/unsubscribe", formLimit);

  app.route("/", healthRoutes(deps));
  app.route("/", metricsRoutes(deps));
  // A `worker` process answers only its health and metrics: the API is served by the `api` processes.
  if (servesApi(deps.config.HERALD_ROLE)) {
    app.route("/", v1Routes(deps));
    app.route("/", unsubscribeRoutes(deps));
    app.route("/", preferencePageRoutes(deps));
    app.route("/", webhookRoutes(deps));
    app.route("/", docsRoutes());
    app.route("/", adminRoutes(deps));
  }

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key (`hk_…`), or a recipient token (`rt_…`) for /v1/me routes",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Herald",
      version: packageJson.version,
      description: "Self-hosted notifications: in-app inbox, email (SES) and SMS (SNS).",
    },
    servers: openApiServers(deps.config),
  });

  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path).filter((m) => m !== c.req.method);
    if (allowed.length > 0) {
      return problemResponse(
        c,
        new AppError("method-not-allowed", `${c.req.method} is not allowed here; use ${allowed.join(", ")}`),
        { allow: allowed.join(", ") },
      );
    }
    return problemResponse(c, new AppError("route-not-found", `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((error, c) => {
    if (error instanceof AppError) return problemResponse(c, error);
    if (error instanceof DatabaseBusyError) {
      return problemResponse(c, new AppError("database-busy", "The database is locked; retry shortly"), {
        "retry-after": "1",
      });
    }
    if (error instanceof DatabaseOverloadedError) {
      return problemResponse(c, new AppError("overloaded", "Too many writes are waiting; retry shortly"), {
        "retry-after": "1",
      });
    }
    if (error instanceof DatabaseDurabilityError) {
      deps.logger.error("database refuses writes after a failed fsync; restart Herald", {
        requestId: c.get("requestId"),
      });
      return problemResponse(
        c,
        new AppError("unavailable", "The database cannot accept writes; the operator must restart Herald"),
      );
    }
    if (error instanceof HTTPException && error.status === 400) {
      return problemResponse(c, new AppError("invalid-json", "The body is not valid JSON"));
    }
    if (error instanceof HTTPException && error.status === 415) {
      return problemResponse(c, new AppError("unsupported-media-type", "Send the body as application/json"));
    }
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(c, new AppError("validation-failed", error.message || "Bad request"));
    }
    deps.logger.error("unhandled error", {
      requestId: c.get("requestId"),
      route: c.req.routePath,
      error: error.name,
      message: redactSecrets(error.message),
    });
    deps.errors.capture(error, { route: c.req.routePath, method: c.req.method });
    return problemResponse(c, new AppError("internal", "An unexpected error occurred"));
  });

  return app;
}

/** HERALD_PUBLIC_URL's built-in default (config.ts): a value equal to it says nothing about where Herald is reached. */
const DEFAULT_PUBLIC_URL = "http://localhost:3000";

/**
 * The OpenAPI document's servers, which Swagger UI's "Try it out" calls: the configured public URL when there is
 * one; otherwise the server the document was read from (a relative URL, resolved against /openapi.json), so a
 * Herald on PORT=43101, or behind a port mapping, is called where it answers rather than on port 3000.
 */
function openApiServers(config: Pick<ServerDeps["config"], "HERALD_PUBLIC_URL">) {
  const configured = config.HERALD_PUBLIC_URL.replace(/\/+$/, "");
  if (configured !== DEFAULT_PUBLIC_URL) return [{ url: configured, description: "HERALD_PUBLIC_URL" }];
  return [{ url: "/", description: "This server (the address this document was read from)" }];
}

/** The application type (for typed clients and tests). */
export type App = ReturnType<typeof createApp>;

const patternCache = new Map<string, RegExp>();

/** Methods registered for paths matching `path`, for 405 responses with an Allow header. */
function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    let re = patternCache.get(route.path);
    if (!re) {
      const source = route.path
        .split("/")
        .map((part) =>
          part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("/");
      re = new RegExp(`^${source}$`);
      patternCache.set(route.path, re);
    }
    if (re.test(path)) methods.add(route.method);
  }
  return [...methods];
}
