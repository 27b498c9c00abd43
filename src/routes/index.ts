import type { Deps } from "../deps.ts";
import { createRouter } from "../http/router.ts";
import { eventRoutes } from "./events/index.ts";
import { notificationRoutes } from "./notifications/index.ts";
import { recipientRoutes } from "./recipients/index.ts";
import { ruleRoutes } from "./rules/index.ts";

/** Every /v1 resource, mounted in one place. */
export function v1Routes(deps: Deps) {
  return createRouter()
    .route("/", recipientRoutes(deps))
    .route("/", notificationRoutes(deps))
    .route("/", eventRoutes(deps))
    .route("/", ruleRoutes(deps));
}
