import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonContent } from "../../http/schemas.ts";
import { AlertList, AlertQuery } from "./alerts.schemas.ts";

export const list = createRoute({
  tags: ["operations"],
  security: bearer,
  middleware: [requireScope("admin")],
  method: "get",
  path: "/v1/alerts",
  summary: "Every in-process alert rule with its state, since, value and summary",
  description:
    "The same rules as scripts/prometheus/herald.rules.yml, evaluated every HERALD_ALERT_INTERVAL_MS by the `alerts` scheduler; a rule goes ok → pending → firing once its condition held for `forMs`.",
  request: { query: AlertQuery },
  responses: { 200: jsonContent(AlertList, "The alert rules"), ...commonErrors },
});
