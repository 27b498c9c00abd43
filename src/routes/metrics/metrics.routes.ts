import { createRoute, z } from "@hono/zod-openapi";
import { problemOf } from "../../http/schemas.ts";

/** The Prometheus text exposition format's media type. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** `GET /metrics`: outside /v1 and its API keys, because Prometheus scrapers carry at most a static bearer token. */
export const scrape = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["health"],
  summary: "Prometheus metrics (text exposition format 0.0.4)",
  description:
    "Counters and histograms kept in process since start, plus gauges read from the database at scrape time (queue depth, oldest due age, leases, unknown deliveries) and scheduler timestamps. When HERALD_METRICS_TOKEN is set, scrapers must send it as a bearer token.",
  security: [{}, { bearerAuth: [] }],
  responses: {
    200: { description: "The metrics", content: { "text/plain": { schema: z.string() } } },
    401: problemOf("HERALD_METRICS_TOKEN is set and the request does not carry it"),
  },
});
