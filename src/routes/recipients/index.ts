import type { Deps } from "../../deps.ts";
import {
  eraseRecipient,
  getRecipient,
  listRecipients,
  upsertRecipient,
} from "../../domain/recipients/recipients.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./recipients.routes.ts";

/** `/v1/recipients`: list; `/v1/recipients/{id}`: upsert, get, erase. */
export function recipientRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.list, async (c) => c.json(await listRecipients(deps, c.req.valid("query")), 200))
    .openapi(routes.upsert, async (c) => {
      const { recipient, created } = await upsertRecipient(
        deps,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      return c.json(recipient, created ? 201 : 200);
    })
    .openapi(routes.get, async (c) => c.json(await getRecipient(deps, c.req.valid("param").id), 200))
    .openapi(routes.erase, async (c) => {
      await eraseRecipient(deps, c.req.valid("param").id);
      return c.body(null, 204);
    });
}
