import type { Deps } from "../../deps.ts";
import { runOffThread } from "../reports/off-thread.ts";
import type { Stats } from "./notifications.stats.ts";

/**
 * The all-time counts (`countStats` in notifications.stats.ts) off the server's thread (the read Worker on a local
 * file): what `GET /v1/stats` serves. Apart from the query so the read Worker, which runs the query, does not
 * import the Worker's own launcher.
 */
export function getStats(deps: Pick<Deps, "db" | "config" | "caches">): Promise<Stats> {
  return runOffThread(deps, { kind: "stats" });
}
