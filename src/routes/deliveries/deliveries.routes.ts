import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import {
  BulkCancel,
  BulkResult,
  BulkRetry,
  Delivery,
  DeliveryDetail,
  DeliveryId,
  DeliveryPage,
  ListQuery,
} from "./deliveries.schemas.ts";

const base = { tags: ["deliveries"], security: bearer, middleware: [requireScope("admin")] };
const params = z.object({ id: DeliveryId });

export const list = createRoute({
  ...base,
  method: "get",
  path: "/v1/deliveries",
  summary: "List deliveries (newest first)",
  description:
    "Each request reads at most 2,000 candidate deliveries (in id order from the cursor, within the notification, recipient or status and the creation range when given) and applies the other filters to those. A selective filter can therefore return a short or empty page with a `nextCursor`: follow it to continue; only a null `nextCursor` means the end.",
  request: { query: ListQuery },
  responses: { 200: jsonContent(DeliveryPage, "A page of deliveries"), ...commonErrors },
});

export const get = createRoute({
  ...base,
  method: "get",
  path: "/v1/deliveries/{id}",
  summary: "Get a delivery with its payload and every provider attempt",
  request: { params },
  responses: {
    200: jsonContent(DeliveryDetail, "The delivery"),
    404: problemOf("No such delivery"),
    ...commonErrors,
  },
});

export const retry = createRoute({
  ...base,
  method: "post",
  path: "/v1/deliveries/{id}/retry",
  summary: "Send a failed, unknown or cancelled delivery again",
  description:
    "Queues the delivery again, due now, with a fresh attempt budget (HERALD_DELIVERY_MAX_ATTEMPTS more attempts). For an `unknown` SMS, check first that it did not arrive: it may be a duplicate.",
  request: { params },
  responses: {
    200: jsonContent(Delivery, "Queued again"),
    404: problemOf("No such delivery"),
    409: problemOf("The delivery is not failed, unknown or cancelled, or its recipient was erased"),
    ...commonErrors,
  },
});

export const bulkRetry = createRoute({
  ...base,
  method: "post",
  path: "/v1/deliveries/retry",
  summary: "Send every matching failed/unknown/cancelled delivery again",
  request: { body: jsonBody(BulkRetry) },
  responses: { 200: jsonContent(BulkResult, "How many were queued again"), ...commonErrors },
});

export const bulkCancel = createRoute({
  ...base,
  method: "post",
  path: "/v1/deliveries/cancel",
  summary: "Cancel every matching delivery that is still queued",
  request: { body: jsonBody(BulkCancel) },
  responses: { 200: jsonContent(BulkResult, "How many were cancelled"), ...commonErrors },
});
