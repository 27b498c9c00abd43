import type { Providers } from "./channels/types.ts";
import type { DeliveryEngine } from "./delivery/delivery-engine.ts";
import type { Deps } from "./deps.ts";
import type { InboxFeed } from "./domain/inbox/inbox.feed.ts";
import type { EventLoopLagMonitor } from "./observability/event-loop-lag.ts";
import type { Scheduler } from "./schedulers/scheduler.ts";

/**
 * The running server's dependencies: the domain's {@link Deps} and the machinery only the server drives. Wired
 * by `main.ts` (through `bootstrap.ts`), used by `app.ts`, the health and channel routes, the alert snapshot and
 * the metrics collectors; tests drive the engine and schedulers by hand.
 */
export interface ServerDeps extends Deps {
  /** Email and SMS providers (SES/SNS, the outbox, or test fakes), chosen once at start. */
  providers: Providers;
  /** The delivery workers and lease sweeper; started by the server only, driven by hand in tests. */
  delivery: DeliveryEngine;
  /** Interval schedulers (digest, retention, alerts…); started by the server only, run by hand in tests. */
  schedulers: Scheduler[];
  /** Event-loop lag, measured in process (started by the server only; tests start it when they want it). */
  loopLag: EventLoopLagMonitor;
  /** Other processes' unread-count changes for this process's event streams (started by API processes). */
  inboxFeed: InboxFeed;
}
