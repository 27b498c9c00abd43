import { createRoute } from "@hono/zod-openapi";
import { SuppressionInput } from "../../domain/suppressions/suppressions.input.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { Suppression, SuppressionPage, SuppressionParams, SuppressionQuery } from "./suppressions.schemas.ts";

const base = { tags: ["suppressions"], security: bearer, middleware: [requireScope("admin")] };

export const list = createRoute({
  ...base,
  method: "get",
  path: "/v1/suppressions",
  summary: "List suppressed contacts (newest first)",
  request: { query: SuppressionQuery },
  responses: { 200: jsonContent(SuppressionPage, "A page of suppressions"), ...commonErrors },
});

export const add = createRoute({
  ...base,
  method: "post",
  path: "/v1/suppressions",
  summary: "Suppress a contact by hand",
  description:
    "Reason `manual`, source `operator`. Deliveries still queued for the contact are skipped with reason `suppressed`; new notifications skip it too. An existing entry is returned unchanged with 200.",
  request: { body: jsonBody(SuppressionInput) },
  responses: {
    200: jsonContent(Suppression, "Already suppressed"),
    201: jsonContent(Suppression, "Suppressed"),
    ...commonErrors,
  },
});

export const remove = createRoute({
  ...base,
  method: "delete",
  path: "/v1/suppressions/{channel}/{contact}",
  summary: "Lift a suppression",
  description: "New notifications reach the contact again; deliveries already skipped stay skipped.",
  request: { params: SuppressionParams },
  responses: {
    204: { description: "Removed" },
    404: problemOf("The contact is not suppressed"),
    ...commonErrors,
  },
});
