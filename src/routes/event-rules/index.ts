import type { Deps } from "../../deps.ts";
import { deleteRule, getRule, listRules, putRule } from "../../domain/event-rules/event-rules.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./event-rules.routes.ts";

/** `/v1/rules`: which template and recipients each event type notifies. */
export function eventRuleRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.list, async (c) => c.json({ items: await listRules(deps) }, 200))
    .openapi(routes.get, async (c) => c.json(await getRule(deps, c.req.valid("param").eventType), 200))
    .openapi(routes.put, async (c) => {
      const { rule, created } = await putRule(deps, c.req.valid("param").eventType, c.req.valid("json"));
      return c.json(rule, created ? 201 : 200);
    })
    .openapi(routes.remove, async (c) => {
      await deleteRule(deps, c.req.valid("param").eventType);
      return c.body(null, 204);
    });
}
