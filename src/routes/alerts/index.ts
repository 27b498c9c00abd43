import { alertList } from "../../alerts/alert-evaluator.ts";
import type { Deps } from "../../deps.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./alerts.routes.ts";

/** `GET /v1/alerts`: the alert rules and their states (admin). */
export function alertRoutes(deps: Deps) {
  return createRouter().openapi(routes.list, async (c) =>
    c.json(await alertList(deps, c.req.valid("query")), 200),
  );
}
