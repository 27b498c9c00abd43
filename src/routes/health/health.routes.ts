import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent } from "../../http/schemas.ts";
import { Ready } from "./health.schemas.ts";

export const live = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Liveness: the process serves requests",
  responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "Alive") },
});

export const ready = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["health"],
  summary: "Readiness: database, workers, schedulers, providers, maintenance, held SMS, alerts; performance",
  description:
    "Each component is healthy, degraded (working, but an operator should look: a paused channel, SMS held as unknown, a failing or overdue scheduler, maintenance on, an alert firing) or failing. 503 only when the service cannot do its job (the database is not writable). `performance` says how fast the server is right now: request and delivery latency percentiles over the last 5 minutes and event-loop lag over the last minute.",
  responses: {
    200: jsonContent(Ready, "Ready (possibly degraded)"),
    503: jsonContent(Ready, "Cannot do its job"),
  },
});
