import { createRoute } from "@hono/zod-openapi";
import { OpsSettingsInput } from "../../domain/ops-settings/ops-settings.input.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent } from "../../http/schemas.ts";
import { OpsSettings } from "./settings.schemas.ts";

const admin = { tags: ["settings"], security: bearer, middleware: [requireScope("admin")] };

export const get = createRoute({
  ...admin,
  method: "get",
  path: "/v1/settings",
  summary: "Get the operator settings",
  description:
    "Maintenance mode, per-channel rollout, SMS budget and loop guard (configuration defaults until changed).",
  responses: { 200: jsonContent(OpsSettings, "The settings in force"), ...commonErrors },
});

export const put = createRoute({
  ...admin,
  method: "put",
  path: "/v1/settings",
  summary: "Change the operator settings",
  description:
    "A partial update. `maintenance.enabled: true` pauses every provider send (deliveries stay queued, nothing is lost) until it is set back to false. Applies at once in this process and within a second in others sharing the database.",
  request: { body: jsonBody(OpsSettingsInput) },
  responses: { 200: jsonContent(OpsSettings, "The settings now in force"), ...commonErrors },
});
