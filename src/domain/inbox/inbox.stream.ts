import type { InboxEvents } from "./inbox.events.ts";
import { type UnreadCount, unreadCount } from "./inbox.service.ts";

/** How often an idle stream sends a keep-alive, so proxies don't close a quiet connection. */
export const KEEP_ALIVE_MS = 25_000;

/** What an unread stream emits: the count (first the current one, then each change) or a keep-alive tick. */
export type UnreadStreamEvent = { kind: "unread"; count: UnreadCount } | { kind: "keep-alive" };

/** Options for {@link watchUnread}. */
export interface WatchOptions {
  /** Ends the stream and drops the subscription (the client went away). */
  signal: AbortSignal;
  keepAliveMs?: number;
}

/**
 * Watches a live recipient's unread count: resolves (or throws not-found) once the current count is known,
 * then yields it and every later change, with a keep-alive after each quiet `keepAliveMs`. Subscribes before
 * reading, so a change committed in between is not missed; versions only grow, so a change that arrives
 * late or twice is dropped, and a burst collapses into its latest count. Ends when `signal` aborts, which
 * also unsubscribes at once.
 */
export async function watchUnread(
  deps: Parameters<typeof unreadCount>[0] & { inboxEvents: InboxEvents },
  recipientId: string,
  { signal, keepAliveMs = KEEP_ALIVE_MS }: WatchOptions,
): Promise<AsyncGenerator<UnreadStreamEvent>> {
  let latest: UnreadCount | null = null;
  let wake: (() => void) | null = null;
  const unsubscribe = deps.inboxEvents.subscribe(recipientId, (change) => {
    if (latest === null || change.version > latest.version)
      latest = { unread: change.unread, version: change.version };
    wake?.();
  });
  const stop = () => {
    unsubscribe();
    wake?.();
  };
  signal.addEventListener("abort", stop, { once: true });
  let initial: UnreadCount;
  try {
    initial = await unreadCount(deps, recipientId);
  } catch (error) {
    signal.removeEventListener("abort", stop);
    unsubscribe();
    throw error;
  }

  /** Resolves true after `keepAliveMs` of quiet, false as soon as a change arrives or the signal aborts. */
  const quiet = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve(true);
      }, keepAliveMs);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve(false);
      };
    });

  async function* events(): AsyncGenerator<UnreadStreamEvent> {
    try {
      let sent = initial;
      yield { kind: "unread", count: sent };
      while (!signal.aborted) {
        const next: UnreadCount | null = latest;
        if (next !== null && next.version > sent.version) {
          sent = next;
          yield { kind: "unread", count: next };
          continue;
        }
        if ((await quiet()) && !signal.aborted) yield { kind: "keep-alive" };
      }
    } finally {
      signal.removeEventListener("abort", stop);
      unsubscribe();
    }
  }
  return events();
}
