import {
  cancelDeliveries,
  getDelivery,
  listDeliveries,
  retryDeliveries,
  retryDelivery,
} from "../../delivery/deliveries.service.ts";
import type { Deps } from "../../deps.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./deliveries.routes.ts";

/** `/v1/deliveries`: the job table for operators (inspect, retry, cancel). */
export function deliveryRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.list, async (c) => {
      const { status, ...query } = c.req.valid("query");
      return c.json(await listDeliveries(deps, { ...query, status: status ? [status] : undefined }), 200);
    })
    .openapi(routes.get, async (c) => c.json(await getDelivery(deps, c.req.valid("param").id), 200))
    .openapi(routes.retry, async (c) => c.json(await retryDelivery(deps, c.req.valid("param").id), 200))
    .openapi(routes.bulkRetry, async (c) =>
      c.json({ count: await retryDeliveries(deps, c.req.valid("json")) }, 200),
    )
    .openapi(routes.bulkCancel, async (c) =>
      c.json({ count: await cancelDeliveries(deps, c.req.valid("json")) }, 200),
    );
}
