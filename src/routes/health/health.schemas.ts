import { z } from "@hono/zod-openapi";
import { ROLES } from "../../config.ts";
import { COMPONENT_STATUSES, READINESS_STATUSES } from "../../observability/readiness.ts";

const Component = z.object({
  status: z.enum(COMPONENT_STATUSES),
  detail: z.string().optional(),
  latencyMs: z.number().optional(),
});
const Latency = z
  .object({
    count: z.number().int(),
    p50Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
    maxMs: z.number(),
  })
  .openapi("LatencySummary");
const Performance = z
  .object({
    windowSeconds: z.number().int().openapi({ description: "The span request and delivery latency cover" }),
    requests: Latency.openapi({ description: "HTTP requests (event streams excluded)" }),
    deliveryLatency: z
      .object({ email: Latency, sms: Latency })
      .openapi({ description: "From a delivery's due time to the provider's acceptance (sent ones)" }),
    eventLoopLag: z.object({
      samples: z.number().int(),
      p50Ms: z.number(),
      p99Ms: z.number(),
      maxMs: z.number(),
      windowMs: z.number().int(),
    }),
  })
  .openapi("Performance");
export const Ready = z
  .object({
    status: z.enum(READINESS_STATUSES),
    role: z.enum(ROLES).openapi({
      description: "What this process runs: all, api (HTTP only) or worker (delivery and schedulers)",
    }),
    components: z.record(z.string(), Component),
    performance: Performance,
  })
  .openapi("Readiness");
