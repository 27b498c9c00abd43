import type { Deps } from "../../deps.ts";
import { getBranding, putBranding } from "../../domain/branding/branding.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./branding.routes.ts";

/** `/v1/branding`: company name, logo, colours and footer used by every email (admin scope). */
export function brandingRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.get, async (c) => c.json(await getBranding(deps), 200))
    .openapi(routes.put, async (c) => c.json(await putBranding(deps, c.req.valid("json")), 200));
}
