import type { Deps } from "../deps.ts";
import { createRouter } from "../http/router.ts";
import { recipientRoutes } from "./recipients/index.ts";

/** Every /v1 resource, mounted in one place. */
export function v1Routes(deps: Deps) {
  return createRouter().route("/", recipientRoutes(deps));
}
