import type { Deps } from "../../deps.ts";
import { handleEvent } from "../../domain/events/events.service.ts";
import { idempotencyClaim } from "../../http/idempotency-header.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./events.routes.ts";

/** `POST /v1/events`. */
export function eventRoutes(deps: Deps) {
  return createRouter().openapi(routes.post, async (c) => {
    const body = c.req.valid("json");
    const outcome = await handleEvent(deps, body, idempotencyClaim(c, body));
    if (outcome.replayed) c.header("idempotent-replayed", "true");
    return c.json(outcome.body, outcome.status);
  });
}
