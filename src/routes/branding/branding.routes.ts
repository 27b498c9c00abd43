import { createRoute } from "@hono/zod-openapi";
import { BrandingInput } from "../../domain/branding/branding.input.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent } from "../../http/schemas.ts";
import { Branding } from "./branding.schemas.ts";

const admin = { tags: ["branding"], security: bearer, middleware: [requireScope("admin")] };

export const get = createRoute({
  ...admin,
  method: "get",
  path: "/v1/branding",
  summary: "Get the email branding",
  responses: { 200: jsonContent(Branding, "Current branding (defaults until set)"), ...commonErrors },
});

export const put = createRoute({
  ...admin,
  method: "put",
  path: "/v1/branding",
  summary: "Change the email branding",
  description: "Applies to emails rendered from now on (other processes pick it up within 5 seconds).",
  request: { body: jsonBody(BrandingInput) },
  responses: { 200: jsonContent(Branding, "The branding now in force"), ...commonErrors },
});
