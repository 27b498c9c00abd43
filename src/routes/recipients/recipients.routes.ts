import { createRoute, z } from "@hono/zod-openapi";
import { PageQuery } from "../../domain/pagination.rules.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { Recipient, RecipientId, RecipientInput, RecipientPage } from "./recipients.schemas.ts";

const params = z.object({ id: RecipientId });
const base = { tags: ["recipients"], security: bearer, middleware: [requireScope("portal")] };

export const upsert = createRoute({
  ...base,
  method: "put",
  path: "/v1/recipients/{id}",
  summary: "Create or update a recipient by the portal's id",
  request: { params, body: jsonBody(RecipientInput) },
  responses: {
    200: jsonContent(Recipient, "Updated"),
    201: jsonContent(Recipient, "Created"),
    ...commonErrors,
  },
});

export const get = createRoute({
  ...base,
  method: "get",
  path: "/v1/recipients/{id}",
  summary: "Get a recipient",
  request: { params },
  responses: {
    200: jsonContent(Recipient, "The recipient"),
    404: problemOf("No such recipient"),
    ...commonErrors,
  },
});

export const erase = createRoute({
  ...base,
  method: "delete",
  path: "/v1/recipients/{id}",
  summary: "Erase a recipient",
  description:
    "Erases contact data, preferences and inbox content and cancels pending deliveries. Aggregate counts are kept.",
  request: { params },
  responses: { 204: { description: "Erased" }, 404: problemOf("No such recipient"), ...commonErrors },
});

export const list = createRoute({
  ...base,
  method: "get",
  path: "/v1/recipients",
  summary: "List recipients in id order, a page at a time",
  description:
    "Erased recipients are left out. Pass `nextCursor` as `cursor` for the next page; it is null on the last.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(RecipientPage, "A page of recipients"), ...commonErrors },
});
