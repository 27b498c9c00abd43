import { listOutbox } from "../../channels/outbox.service.ts";
import type { Deps } from "../../deps.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./outbox.routes.ts";

/** `GET /v1/outbox`: what the development providers captured. */
export function outboxRoutes(deps: Deps) {
  return createRouter().openapi(routes.list, async (c) =>
    c.json(await listOutbox(deps, c.req.valid("query")), 200),
  );
}
