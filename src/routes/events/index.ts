import { createRoute, z } from "@hono/zod-openapi";
import type { Deps } from "../../deps.ts";
import { handleEvent } from "../../domain/events/events.service.ts";
import { requireScope } from "../../http/auth.ts";
import { idempotencyClaim, idempotencyHeader } from "../../http/idempotency-header.ts";
import { createRouter } from "../../http/router.ts";
import { bearer, commonErrors, EpochMs, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { CreatedNotification, Subject } from "../notifications/notifications.schemas.ts";

const EventInput = z
  .object({
    type: z.string().min(1).max(100).openapi({ example: "repair.approved" }),
    data: z.record(z.string(), z.unknown()).openapi({
      description: "The event's payload: the template context, with recipients at the paths the rule names",
      example: {
        repair: { id: "R-123", title: "Leaking valve", address: "12 Main St" },
        customer: { id: "cust-7", name: "Dana", email: "dana@example.com", emailVerified: true },
      },
    }),
    dedupeKey: z.string().min(1).max(200).nullable().optional(),
    actionUrl: z.string().url().max(2048).nullable().optional(),
    subject: Subject.nullable().optional(),
    sendAt: EpochMs.nullable().optional(),
  })
  .strict()
  .openapi("EventInput", {
    // Sent as it is, it works against the seeded `repair.approved` rule (the customer is upserted from the data).
    example: {
      type: "repair.approved",
      data: {
        repair: { id: "R-123", title: "Leaking valve", address: "12 Main St" },
        customer: { id: "cust-7", name: "Dana", email: "dana@example.com", emailVerified: true },
      },
      dedupeKey: "repair-R-123-approved",
      actionUrl: "https://portal.example.com/repairs/R-123",
    },
  });

const EventResult = z
  .object({ eventType: z.string(), notifications: z.array(CreatedNotification) })
  .openapi("EventResult");

const post = createRoute({
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

/** `POST /v1/events`. */
export function eventRoutes(deps: Deps) {
  return createRouter().openapi(post, async (c) => {
    const body = c.req.valid("json");
    const outcome = await handleEvent(deps, body, idempotencyClaim(c, body));
    if (outcome.replayed) c.header("idempotent-replayed", "true");
    return c.json(outcome.body, outcome.status);
  });
}
