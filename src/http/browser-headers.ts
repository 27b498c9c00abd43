import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../config.ts";
import type { AppEnv } from "./env.ts";

/**
 * Security headers on every response (Hono's secure-headers): `X-Content-Type-Options: nosniff`, no referrer
 * (unsubscribe links carry a token in the URL), no framing (`frame-ancestors 'none'` and `X-Frame-Options:
 * DENY`), and one Content-Security-Policy that the HTML pages (/docs, /unsubscribe) live within: scripts and
 * styles from Herald itself only (inline style attributes allowed, inline scripts not), requests to Herald
 * and to its public URL (Swagger UI's "try it out"), forms posting back to Herald. A header a route set itself
 * is kept (the admin console sends a stricter CSP of its own).
 *
 * @example app.use("*", browserHeaders(config));
 */
export function browserHeaders(config: Pick<Config, "HERALD_PUBLIC_URL">): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    overwrite: false,
    xFrameOptions: "DENY",
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'", new URL(config.HERALD_PUBLIC_URL).origin],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  });
}

/**
 * `Cache-Control: no-store` on every response of the JSON API and the unsubscribe page: they carry people's
 * names, contacts, messages and tokens, which no browser or shared cache should keep.
 *
 * @example app.use("/v1/*", noStore);
 */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.set("cache-control", "no-store");
};

/**
 * CORS for the recipient-facing API (/v1/me, including its SSE stream) from the origins in
 * `HERALD_CORS_ORIGINS` (none by default: then no CORS header is ever sent). Mounted before authentication,
 * so a preflight (which carries no credentials) is answered with 204 instead of 401. Credentials travel as a
 * bearer token (or `?access_token=` for EventSource), never as cookies, so credentialed CORS stays off.
 *
 * @example app.use("/v1/me/*", recipientCors(config));
 */
export function recipientCors(config: Pick<Config, "HERALD_CORS_ORIGINS">): MiddlewareHandler<AppEnv> {
  const origins = config.HERALD_CORS_ORIGINS;
  if (origins.length === 0) return async (_c, next) => next();
  return cors({
    origin: origins,
    allowMethods: ["GET", "POST", "PUT", "PATCH"],
    allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
    exposeHeaders: ["X-Request-Id", "Retry-After"],
    maxAge: 600,
  });
}
