/**
 * The ErrorTracker on Sentry (`@sentry/bun`), used when SENTRY_DSN is set. Two layers keep requests' data on the
 * machine: `dataCollection` tells the SDK not to collect user info, cookies, headers, query strings, bodies or
 * local variables, and `beforeSend` / `beforeBreadcrumb` scrub whatever still arrives (the request block, whose
 * URL becomes the route pattern, the user, and any email, phone number, API key, recipient token or bearer
 * credential quoted in a message, percent-encoded or not). Sentry is a
 * process-wide singleton: build one tracker per process.
 *
 * The SDK (about 33 MB of modules once loaded) is loaded by {@link createSentryTracker}, not when this module is
 * imported, so a process without SENTRY_DSN never pays for it.
 */
import type * as Sentry from "@sentry/bun";
import type { ErrorTracker } from "./error-tracker.ts";
import { redactSecrets } from "./log-redaction.rules.ts";

/** Default integrations Herald leaves out (see {@link createSentryTracker}). */
const DROPPED_INTEGRATIONS = new Set(["Console", "ContextLines"]);

/** What the tracker is built from (config, resolved by bootstrap). */
export interface SentryOptions {
  dsn: string;
  environment: string;
  release?: string;
}

/** A string with contact data and credentials masked (also `Bearer …` values, which carry no key prefix). */
function scrubText(text: string): string {
  return redactSecrets(text.replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, "$1 [redacted]"));
}

/** A copy of `value` with every string scrubbed (objects and arrays walked, depth-limited). */
function scrubDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return scrubText(value) as T;
  if (depth > 12 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubDeep(item, depth + 1);
  return out as T;
}

/** A URL without its query string and fragment (they can carry tokens). */
function withoutQuery(url: unknown): unknown {
  return typeof url === "string" ? url.replace(/[?#].*$/, "") : url;
}

/**
 * The request's URL with its path replaced by the matched route pattern (`/v1/suppressions/:channel/:contact`):
 * a path can carry a contact, percent-encoded (`/v1/suppressions/email/ann%40example.com`). No route, no URL.
 */
function routeUrl(url: unknown, route: unknown): string | undefined {
  if (typeof route !== "string") return undefined;
  try {
    return `${new URL(String(url)).origin}${route}`;
  } catch {
    return route;
  }
}

/**
 * The event as it may leave the machine: no request body, cookies, headers, query string or concrete path (the
 * method and the route pattern stay), no user, and every remaining string scrubbed of contact data and
 * credentials.
 */
export function scrubEvent(event: Sentry.ErrorEvent): Sentry.ErrorEvent {
  const { user: _user, request, ...rest } = event;
  const url = request ? routeUrl(request.url, event.tags?.route) : undefined;
  const kept = request ? { method: request.method, ...(url ? { url } : {}) } : undefined;
  const breadcrumbs = rest.breadcrumbs?.map(scrubBreadcrumb);
  return scrubDeep({ ...rest, ...(kept ? { request: kept } : {}), ...(breadcrumbs ? { breadcrumbs } : {}) });
}

/** A breadcrumb keeping only its method, status and query-less URL besides the (scrubbed) message. */
export function scrubBreadcrumb(breadcrumb: Sentry.Breadcrumb): Sentry.Breadcrumb {
  const data = breadcrumb.data
    ? Object.fromEntries(
        Object.entries({
          method: breadcrumb.data.method,
          status_code: breadcrumb.data.status_code,
          url: withoutQuery(breadcrumb.data.url),
        }).filter(([, v]) => v !== undefined),
      )
    : undefined;
  return scrubDeep({ ...breadcrumb, ...(data ? { data } : {}) });
}

/** Initialises Sentry once for this process and returns the tracker on it. */
export function createSentryTracker(options: SentryOptions): ErrorTracker {
  // Synchronously, so Sentry is initialised before the server starts (it instruments Bun.serve).
  const Sentry: typeof import("@sentry/bun") = require("@sentry/bun");
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      genAI: { inputs: false, outputs: false },
      graphQL: { document: false, variables: false },
    },
    // Console breadcrumbs would duplicate the structured log; errors are what Sentry is for here. ContextLines
    // would read source files at capture time, keep them cached and send the lines around each frame (string
    // literals included): the release and line numbers identify the code without them.
    integrations: (defaults) => defaults.filter((integration) => !DROPPED_INTEGRATIONS.has(integration.name)),
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  });
  return {
    capture(error, tags) {
      try {
        Sentry.captureException(error, { tags });
      } catch {
        // Reporting must never break the caller (a route's error response, a scheduler loop).
      }
    },
    flush: (timeoutMs = 2_000) => Sentry.flush(timeoutMs),
  };
}
