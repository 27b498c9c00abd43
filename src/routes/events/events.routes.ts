import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { idempotencyHeader } from "../../http/idempotency-header.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { EventInput, EventResult } from "./events.schemas.ts";

export const post = createRoute({
  security: bearer,
  middleware: [requireScope("portal")],
  method: "post",
  path: "/v1/events",
  tags: ["events"],
  summary: "Post a domain event; its rule decides who is notified and how",
  description:
    "Recipients found in `data` at the rule's paths are upserted (objects with an id) or looked up (ids), and one notification is created for each, all in one transaction.",
  parameters: [idempotencyHeader],
  request: { body: jsonBody(EventInput) },
  responses: {
    201: jsonContent(EventResult, "Notifications created"),
    200: jsonContent(EventResult, "Every notification already existed (dedupeKey)"),
    404: problemOf("Unknown template or recipient"),
    409: problemOf("The rule's template is inactive"),
    422: problemOf("No rule for the event type, missing recipients or template context"),
    ...commonErrors,
  },
});
