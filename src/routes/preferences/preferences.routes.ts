import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { RecipientId } from "../recipients/recipients.schemas.ts";
import { mergePatchBody, Preferences, PreferencesPatch } from "./preferences.schemas.ts";

const params = z.object({ id: RecipientId });
const base = {
  tags: ["preferences"],
  security: bearer,
  middleware: [requireScope("portal")],
  path: "/v1/recipients/{id}/preferences",
};

export const get = createRoute({
  ...base,
  method: "get",
  summary: "Get a recipient's preferences (the defaults when never set)",
  request: { params },
  responses: {
    200: jsonContent(Preferences, "The preferences"),
    404: problemOf("No such recipient"),
    ...commonErrors,
  },
});

export const put = createRoute({
  ...base,
  method: "put",
  summary: "Replace a recipient's preferences",
  description: "Replaces the whole document; every field is required. Repeated categories are stored once.",
  request: { params, body: jsonBody(Preferences) },
  responses: {
    200: jsonContent(Preferences, "The stored preferences"),
    404: problemOf("No such recipient"),
    ...commonErrors,
  },
});

export const patch = createRoute({
  ...base,
  method: "patch",
  summary: "Change some of a recipient's preferences (JSON merge patch)",
  description:
    "RFC 7396: only the members named change; `null` puts a member back to its default. Send as `application/merge-patch+json` (or `application/json`). Returns the whole stored document.",
  request: { params, body: mergePatchBody(PreferencesPatch) },
  responses: {
    200: jsonContent(Preferences, "The stored preferences"),
    404: problemOf("No such recipient"),
    ...commonErrors,
  },
});
