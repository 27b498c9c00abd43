import { createRouter } from "../../http/router.ts";
import { checkReadiness } from "../../observability/readiness.service.ts";
import type { ServerDeps } from "../../server-deps.ts";
import * as routes from "./health.routes.ts";

/** `/health` and `/health/ready`. */
export function healthRoutes(deps: ServerDeps) {
  return createRouter()
    .openapi(routes.live, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(routes.ready, async (c) => {
      const readiness = await checkReadiness(deps);
      return c.json(readiness, readiness.status === "unavailable" ? 503 : 200);
    });
}
