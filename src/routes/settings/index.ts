import type { Deps } from "../../deps.ts";
import { readOpsSettings, updateOpsSettings } from "../../domain/ops-settings/ops-settings.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./settings.routes.ts";

/** `/v1/settings`: maintenance mode, rollout, SMS budget and loop guard (admin scope). */
export function settingsRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.get, async (c) => c.json(await readOpsSettings(deps.db.read, deps.config), 200))
    .openapi(routes.put, async (c) => c.json(await updateOpsSettings(deps, c.req.valid("json"), "api"), 200));
}
