import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { EventType, Rule, RuleInput } from "./event-rules.schemas.ts";

const admin = { tags: ["rules"], security: bearer, middleware: [requireScope("admin")] };
const params = z.object({ eventType: EventType });

export const list = createRoute({
  ...admin,
  method: "get",
  path: "/v1/rules",
  summary: "List event rules",
  responses: { 200: jsonContent(z.object({ items: z.array(Rule) }), "All rules"), ...commonErrors },
});
export const get = createRoute({
  ...admin,
  method: "get",
  path: "/v1/rules/{eventType}",
  summary: "Get the rule for an event type",
  request: { params },
  responses: {
    200: jsonContent(Rule, "The rule"),
    404: problemOf("No rule for this event type"),
    ...commonErrors,
  },
});
export const put = createRoute({
  ...admin,
  method: "put",
  path: "/v1/rules/{eventType}",
  summary: "Create or replace the rule for an event type",
  request: { params, body: jsonBody(RuleInput) },
  responses: { 200: jsonContent(Rule, "Replaced"), 201: jsonContent(Rule, "Created"), ...commonErrors },
});
export const remove = createRoute({
  ...admin,
  method: "delete",
  path: "/v1/rules/{eventType}",
  summary: "Delete the rule for an event type",
  request: { params },
  responses: {
    204: { description: "Deleted" },
    404: problemOf("No rule for this event type"),
    ...commonErrors,
  },
});
