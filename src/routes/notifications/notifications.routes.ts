import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { idempotencyHeader } from "../../http/idempotency-header.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import {
  CreatedNotification,
  CreateNotification,
  ListQuery,
  NotificationPage,
  NotificationWithDeliveries,
  ReplayHeaders,
  Stats,
} from "./notifications.schemas.ts";

const portal = { security: bearer, middleware: [requireScope("portal")] };

export const create = createRoute({
  ...portal,
  method: "post",
  path: "/v1/notifications",
  tags: ["notifications"],
  summary: "Create a notification",
  description:
    "Renders the template for the recipient, stores the in-app copy and decides each channel (email, SMS) by priority, preferences, contact verification, quiet hours and sendAt. Nothing is sent inside the request; queued deliveries are sent by the workers.",
  parameters: [idempotencyHeader],
  request: { body: jsonBody(CreateNotification) },
  responses: {
    201: { ...jsonContent(CreatedNotification, "Created"), headers: ReplayHeaders },
    200: {
      ...jsonContent(
        CreatedNotification,
        "A replay: a notification with this dedupeKey already exists for the recipient (`replayed: true`), with the decisions made when it was created",
      ),
      headers: ReplayHeaders,
    },
    404: problemOf("Unknown template or recipient"),
    409: problemOf("The template is inactive"),
    422: problemOf("Missing template context, or an Idempotency-Key reused with another body"),
    ...commonErrors,
  },
});

export const list = createRoute({
  ...portal,
  method: "get",
  path: "/v1/notifications",
  tags: ["notifications"],
  summary: "List notifications (newest first)",
  description:
    "Each request reads at most 2,000 candidate notifications (in id order from the cursor, within the recipient and creation range when given) and applies the other filters (priority, category, read, q) to those. A selective filter can therefore return a short or empty page with a `nextCursor`: follow it to continue; only a null `nextCursor` means the end. A creation range or a recipient narrows what is read.",
  request: { query: ListQuery },
  responses: { 200: jsonContent(NotificationPage, "A page of notifications"), ...commonErrors },
});

export const get = createRoute({
  ...portal,
  method: "get",
  path: "/v1/notifications/{id}",
  tags: ["notifications"],
  summary: "Get a notification with its deliveries",
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: {
    200: jsonContent(NotificationWithDeliveries, "The notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const stats = createRoute({
  security: bearer,
  middleware: [requireScope("admin")],
  method: "get",
  path: "/v1/stats",
  tags: ["notifications"],
  summary: "Totals, unread, breakdowns by priority and category, and delivery counts per channel",
  responses: { 200: jsonContent(Stats, "Counts"), ...commonErrors },
});
