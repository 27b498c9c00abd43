import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, sql } from "drizzle-orm";
import { deliveries } from "../../../db/schema.ts";
import type { WorkerStatus } from "../../delivery/channel-worker.ts";
import type { Deps } from "../../deps.ts";
import { createRouter } from "../../http/router.ts";
import { jsonContent } from "../../http/schemas.ts";

const Component = z.object({
  status: z.enum(["healthy", "degraded", "failing"]),
  detail: z.string().optional(),
  latencyMs: z.number().optional(),
});
const Ready = z
  .object({
    status: z.enum(["ready", "degraded", "unavailable"]),
    components: z.record(z.string(), Component),
  })
  .openapi("Readiness");

const live = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Liveness: the process serves requests",
  responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "Alive") },
});

const ready = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["health"],
  summary: "Readiness: database writable, delivery workers, sweeper",
  description:
    "Each component is healthy, degraded (working, but an operator should look: a paused channel, SMS held as unknown, a failing sweep) or failing. 503 only when the service cannot do its job (the database is not writable).",
  responses: {
    200: jsonContent(Ready, "Ready (possibly degraded)"),
    503: jsonContent(Ready, "Cannot do its job"),
  },
});

/** `/health` and `/health/ready`. */
export function healthRoutes(deps: Deps) {
  return createRouter()
    .openapi(live, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(ready, async (c) => {
      const started = performance.now();
      let database: z.infer<typeof Component>;
      try {
        // A write transaction proves the file is writable and the write lock obtainable, not just readable.
        await deps.db.write((tx) => tx.run(sql`SELECT 1`));
        database = { status: "healthy", latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch (error) {
        deps.logger.error("readiness check failed", { error: (error as Error).message });
        database = { status: "failing", detail: "database not writable" };
      }
      const engine = deps.delivery.status();
      // Only ask a database that just proved writable; a failing one is reported as such above.
      const held =
        database.status === "healthy"
          ? ((
              await deps.db.read
                .select({ n: count() })
                .from(deliveries)
                .where(and(eq(deliveries.status, "unknown"), eq(deliveries.channel, "sms")))
            )[0]?.n ?? 0)
          : 0;
      const components: Record<string, z.infer<typeof Component>> = {
        database,
        emailWorker: workerComponent(engine.email, deps.clock.now()),
        smsWorker: workerComponent(engine.sms, deps.clock.now()),
        sweeper: engine.sweeper.lastError
          ? { status: "degraded", detail: `last sweep failed: ${engine.sweeper.lastError}` }
          : engine.sweeper.running
            ? { status: "healthy" }
            : { status: "degraded", detail: "not running" },
        heldSms:
          held > 0
            ? {
                status: "degraded",
                detail: `${held} SMS held as unknown after a crash mid-send: check and retry or cancel them`,
              }
            : { status: "healthy" },
      };
      const failing = database.status === "failing";
      const degraded = Object.values(components).some((component) => component.status !== "healthy");
      return c.json(
        {
          status: failing ? ("unavailable" as const) : degraded ? ("degraded" as const) : ("ready" as const),
          components,
        },
        failing ? 503 : 200,
      );
    });
}

/** A channel worker as a readiness component: paused channels and stopped workers are degraded. */
function workerComponent(worker: WorkerStatus, now: number): z.infer<typeof Component> {
  if (worker.paused) {
    const minutes = Math.max(0, Math.ceil((worker.paused.until - now) / 60_000));
    return {
      status: "degraded",
      detail: `paused by the provider (${worker.paused.code}) for about ${minutes} more min`,
    };
  }
  return worker.running ? { status: "healthy" } : { status: "degraded", detail: "not running" };
}
