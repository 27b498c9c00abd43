import { channelStates, resumeChannel } from "../../delivery/channel-pauses.service.ts";
import { createRouter } from "../../http/router.ts";
import type { ServerDeps } from "../../server-deps.ts";
import * as routes from "./channels.routes.ts";

/** `/v1/channels`: paused channels and resuming them by hand (admin scope). */
export function channelRoutes(deps: ServerDeps) {
  return createRouter()
    .openapi(routes.list, async (c) => c.json({ items: await channelStates(deps) }, 200))
    .openapi(routes.resume, async (c) =>
      c.json(await resumeChannel(deps, c.req.valid("param").channel, "api"), 200),
    );
}
