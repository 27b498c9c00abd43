import type { Deps } from "../../deps.ts";
import { runReport } from "../../domain/reports/reports.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./reports.routes.ts";

/** `GET /v1/reports/{name}`: operator reports (admin). */
export function reportRoutes(deps: Deps) {
  return createRouter().openapi(routes.get, async (c) =>
    c.json(await runReport(deps, c.req.valid("param").name, c.req.valid("query")), 200),
  );
}
