import type { Deps } from "../../deps.ts";
import {
  getRecipientPreferences,
  patchPreferences,
  replacePreferences,
} from "../../domain/preferences/preferences.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./preferences.routes.ts";

/** `/v1/recipients/{id}/preferences`: read, replace and merge-patch, for the portal. */
export function preferenceRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.get, async (c) =>
      c.json(await getRecipientPreferences(deps, c.req.valid("param").id), 200),
    )
    .openapi(routes.put, async (c) =>
      c.json(await replacePreferences(deps, c.req.valid("param").id, c.req.valid("json")), 200),
    )
    .openapi(routes.patch, async (c) =>
      c.json(await patchPreferences(deps, c.req.valid("param").id, c.req.valid("json")), 200),
    );
}
