import type { Deps } from "../../deps.ts";
import {
  addSuppression,
  listSuppressions,
  removeSuppression,
} from "../../domain/suppressions/suppressions.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./suppressions.routes.ts";

/** `/v1/suppressions`: the contacts Herald will not send to (provider feedback and operator entries). */
export function suppressionRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.list, async (c) => c.json(await listSuppressions(deps, c.req.valid("query")), 200))
    .openapi(routes.add, async (c) => {
      const { suppression, created } = await addSuppression(deps, c.req.valid("json"));
      return c.json(suppression, created ? 201 : 200);
    })
    .openapi(routes.remove, async (c) => {
      const { channel, contact } = c.req.valid("param");
      await removeSuppression(deps, channel, contact);
      return c.body(null, 204);
    });
}
