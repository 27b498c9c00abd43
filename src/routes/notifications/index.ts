import type { Deps } from "../../deps.ts";
import { getNotification, listNotifications } from "../../domain/notifications/notifications.queries.ts";
import { createNotification } from "../../domain/notifications/notifications.service.ts";
import { getStats } from "../../domain/notifications/stats.service.ts";
import { idempotencyClaim } from "../../http/idempotency-header.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./notifications.routes.ts";

/** `/v1/notifications` and `/v1/stats`. */
export function notificationRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.create, async (c) => {
      const body = c.req.valid("json");
      const outcome = await createNotification(deps, body, idempotencyClaim(c, body));
      if (outcome.replayed) c.header("idempotent-replayed", "true");
      // A 200 is always a dedupe replay: the notification existed before this request.
      return c.json({ ...outcome.body, replayed: outcome.status === 200 }, outcome.status);
    })
    .openapi(routes.list, async (c) => {
      const { read, ...query } = c.req.valid("query");
      return c.json(await listNotifications(deps, { ...query, read }), 200);
    })
    .openapi(routes.get, async (c) => c.json(await getNotification(deps, c.req.valid("param").id), 200))
    .openapi(routes.stats, async (c) => c.json(await getStats(deps), 200));
}
