/**
 * Where unexpected errors go besides the log: Sentry when `SENTRY_DSN` is set (see `sentry.tracker.ts`),
 * nowhere otherwise. Callers pass the error and a few safe tags (route, scheduler, channel): never request
 * bodies, contact data or keys.
 */
export interface ErrorTracker {
  /** Reports an unexpected error with safe tags. Never throws. */
  capture(error: unknown, tags?: Record<string, string>): void;
  /** Sends what is buffered (on shutdown); resolves false if it did not finish within `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
}

/** The tracker used when no DSN is configured. */
export const noErrorTracker: ErrorTracker = {
  capture() {},
  flush: async () => true,
};
