import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateTemplate,
  PreviewRequest,
  TemplateName,
  UpdateTemplate,
} from "../../domain/templates/templates.input.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import { Preview, Template, TemplateList } from "./templates.schemas.ts";

const admin = { tags: ["templates"], security: bearer, middleware: [requireScope("admin")] };
const params = z.object({ name: TemplateName });
const invalid = problemOf(
  "Invalid request, or a template that does not parse or uses variables outside requiredContext (code `invalid-template`; each error names the field, line and column)",
);

export const create = createRoute({
  ...admin,
  method: "post",
  path: "/v1/templates",
  summary: "Create a template",
  request: { body: jsonBody(CreateTemplate) },
  responses: {
    201: jsonContent(Template, "Created"),
    409: problemOf("A template with this name exists"),
    ...commonErrors,
    400: invalid,
  },
});

export const list = createRoute({
  ...admin,
  method: "get",
  path: "/v1/templates",
  summary: "List templates",
  responses: { 200: jsonContent(TemplateList, "Every template, by name"), ...commonErrors },
});

export const get = createRoute({
  ...admin,
  method: "get",
  path: "/v1/templates/{name}",
  summary: "Get a template",
  request: { params },
  responses: {
    200: jsonContent(Template, "The template"),
    404: problemOf("No such template"),
    ...commonErrors,
  },
});

export const update = createRoute({
  ...admin,
  method: "put",
  path: "/v1/templates/{name}",
  summary: "Change a template",
  description:
    "Fields left out keep their value. A change bumps `version`; notifications record the version they used.",
  request: { params, body: jsonBody(UpdateTemplate) },
  responses: {
    200: jsonContent(Template, "Updated"),
    404: problemOf("No such template"),
    ...commonErrors,
    400: invalid,
  },
});

export const remove = createRoute({
  ...admin,
  method: "delete",
  path: "/v1/templates/{name}",
  summary: "Delete a template",
  request: { params },
  responses: {
    204: { description: "Deleted" },
    404: problemOf("No such template"),
    409: problemOf("Event rules still use the template"),
    ...commonErrors,
  },
});

export const preview = createRoute({
  ...admin,
  method: "post",
  path: "/v1/templates/{name}/preview",
  summary: "Render a template with a sample context",
  description:
    "Renders title, message, email (inside the branded layout) and SMS exactly as a notification would, and reports the SMS encoding, segments and estimated cost.",
  request: { params, body: jsonBody(PreviewRequest) },
  responses: {
    200: jsonContent(Preview, "The rendered parts"),
    404: problemOf("No such template"),
    422: problemOf("The context lacks required keys, or rendering failed"),
    ...commonErrors,
  },
});
