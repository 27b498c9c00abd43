import { createRoute, z } from "@hono/zod-openapi";
import type { Deps } from "../../deps.ts";
import { deleteRule, getRule, listRules, putRule } from "../../domain/rules/rules.service.ts";
import { requireScope } from "../../http/auth.ts";
import { createRouter } from "../../http/router.ts";
import {
  bearer,
  commonErrors,
  EpochMs,
  jsonBody,
  jsonContent,
  Priority,
  problemOf,
} from "../../http/schemas.ts";

const EventType = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits and . _ - (e.g. repair.approved)")
  .openapi({ param: { name: "eventType", in: "path" }, example: "repair.approved" });

/**
 * A rule's priority, or null for "the template's default". A union rather than `Priority.nullable()`: on a
 * registered component, the latter is published as `allOf: [Priority, {type: [string, null]}]`, which no null
 * satisfies.
 */
const RulePriority = z.union([Priority, z.null()]);

/** A dotted path into an event's data, such as `repair.id`. */
const SubjectPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w-]+(\.[\w-]+)*$/, "a dotted path into the event's data, such as repair.id");

const RuleInput = z
  .object({
    description: z.string().max(500).optional(),
    template: z.string().min(1).max(100),
    recipients: z
      .array(z.string().min(1).max(100))
      .min(1)
      .openapi({ description: "Paths into the event's data that hold recipients", example: ["customer"] }),
    priority: RulePriority.optional(),
    category: z.string().min(1).max(64).nullable().optional(),
    subjectPath: SubjectPath.nullable().optional().openapi({
      description:
        "Where in the event's data the id of what the event is about is (e.g. `repair.id`): its notifications' subject, by which the loop guard counts. Null or absent: `<namespace>.id` (`repair.id` for `repair.*` events). A top-level `subject` in the event wins.",
      example: "repair.id",
    }),
    active: z.boolean().optional(),
  })
  .strict()
  .openapi("RuleInput", {
    example: {
      description: "Tell the customer their request was approved.",
      template: "repair-approved",
      recipients: ["customer"],
      priority: null,
      category: "repair",
      subjectPath: "repair.id",
      active: true,
    },
  });

const Rule = z
  .object({
    eventType: z.string(),
    description: z.string(),
    template: z.string(),
    recipients: z.array(z.string()),
    priority: RulePriority,
    category: z.string().nullable(),
    subjectPath: z.string().nullable().openapi({ description: "Null: `<namespace>.id` of the event type" }),
    active: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Rule");

const admin = { tags: ["rules"], security: bearer, middleware: [requireScope("admin")] };
const params = z.object({ eventType: EventType });

const list = createRoute({
  ...admin,
  method: "get",
  path: "/v1/rules",
  summary: "List event rules",
  responses: { 200: jsonContent(z.object({ items: z.array(Rule) }), "All rules"), ...commonErrors },
});
const get = createRoute({
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
const put = createRoute({
  ...admin,
  method: "put",
  path: "/v1/rules/{eventType}",
  summary: "Create or replace the rule for an event type",
  request: { params, body: jsonBody(RuleInput) },
  responses: { 200: jsonContent(Rule, "Replaced"), 201: jsonContent(Rule, "Created"), ...commonErrors },
});
const remove = createRoute({
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

/** `/v1/rules`: which template and recipients each event type notifies. */
export function ruleRoutes(deps: Deps) {
  return createRouter()
    .openapi(list, async (c) => c.json({ items: await listRules(deps) }, 200))
    .openapi(get, async (c) => c.json(await getRule(deps, c.req.valid("param").eventType), 200))
    .openapi(put, async (c) => {
      const { rule, created } = await putRule(deps, c.req.valid("param").eventType, c.req.valid("json"));
      return c.json(rule, created ? 201 : 200);
    })
    .openapi(remove, async (c) => {
      await deleteRule(deps, c.req.valid("param").eventType);
      return c.body(null, 204);
    });
}
