/**
 * Slows key guessing on the sign-in form: after `maxFailures` failed sign-ins from one client address within
 * `windowMs`, that address is refused (429) until the window ends; after `maxTotalFailures` from all addresses
 * together, every address is. Memory is bounded: at most `maxClients` addresses are tracked, the oldest dropped
 * first. Per process: a guesser spread across several Herald processes gets each one's allowance.
 */

/** Options for {@link createSignInThrottle}. */
export interface SignInThrottleOptions {
  /** Failed sign-ins one address may make per window (default 5). */
  maxFailures?: number;
  /** Failed sign-ins all addresses together may make per window (default 100). */
  maxTotalFailures?: number;
  /** The window, ms (default 15 minutes). */
  windowMs?: number;
  /** Most addresses tracked at once (default 1,024). */
  maxClients?: number;
}

interface Window {
  since: number;
  failures: number;
}

/** The sign-in throttle of one admin console. */
export interface SignInThrottle {
  /** Ms until `client` may try again at `now`; 0 when it may try now. */
  retryAfterMs(client: string, now: number): number;
  /** Counts a failed sign-in of `client`. */
  fail(client: string, now: number): void;
  /** Forgets `client`'s failures after it signed in. */
  succeed(client: string): void;
}

/** A throttle; see the module comment. */
export function createSignInThrottle(options: SignInThrottleOptions = {}): SignInThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const maxTotal = options.maxTotalFailures ?? 100;
  const windowMs = options.windowMs ?? 15 * 60 * 1000;
  const maxClients = options.maxClients ?? 1024;
  const clients = new Map<string, Window>();
  let total: Window = { since: 0, failures: 0 };

  const current = (w: Window | undefined, now: number) => (w && now - w.since < windowMs ? w : undefined);
  const wait = (w: Window | undefined, max: number, now: number) => {
    const live = current(w, now);
    return live && live.failures >= max ? live.since + windowMs - now : 0;
  };

  return {
    retryAfterMs(client, now) {
      return Math.max(wait(clients.get(client), maxFailures, now), wait(total, maxTotal, now));
    },
    fail(client, now) {
      const w = current(clients.get(client), now) ?? { since: now, failures: 0 };
      w.failures++;
      clients.delete(client);
      clients.set(client, w);
      while (clients.size > maxClients) {
        const oldest = clients.keys().next().value;
        if (oldest === undefined) break;
        clients.delete(oldest);
      }
      total = current(total, now) ?? { since: now, failures: 0 };
      total.failures++;
    },
    succeed(client) {
      clients.delete(client);
    },
  };
}
