/**
 * The digest scheduler: every HERALD_DIGEST_INTERVAL_MS, sends the digests whose slot has come. Needs no window
 * claim: each recipient's items are claimed in the transaction that creates their digest, so overlapping runs
 * (a restart, a manual run, a second process) find nothing left to send.
 */
import type { Deps } from "../deps.ts";
import { runDigests } from "../domain/digest/digest.service.ts";
import { every, type Scheduler } from "./scheduler.ts";

/** The `digest` scheduler. */
export function digestScheduler(
  deps: Pick<
    Deps,
    | "db"
    | "config"
    | "caches"
    | "tokenSecret"
    | "clock"
    | "logger"
    | "errors"
    | "metrics"
    | "inboxEvents"
    | "wakeups"
  >,
): Scheduler {
  return every(
    "digest",
    deps.config.HERALD_DIGEST_INTERVAL_MS,
    async () => ({ ...(await runDigests(deps, deps.clock.now())) }),
    deps,
  );
}
