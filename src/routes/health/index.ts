import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Deps } from "../../deps.ts";
import { createRouter } from "../../http/router.ts";
import { jsonContent } from "../../http/schemas.ts";

const Component = z.object({
  status: z.enum(["healthy", "degraded", "failing"]),
  detail: z.string().optional(),
  latencyMs: z.number().optional(),
});
const Ready = z
  .object({ status: z.enum(["ready", "degraded", "unavailable"]), components: z.record(z.string(), Component) })
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
  summary: "Readiness: the database is reachable and writable",
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
      const failing = database.status === "failing";
      return c.json(
        { status: failing ? ("unavailable" as const) : ("ready" as const), components: { database } },
        failing ? 503 : 200,
      );
    });
}
