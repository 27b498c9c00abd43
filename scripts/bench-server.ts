/**
 * The server `scripts/bench.ts` puts wrk against: the real Herald server (`serve()` from src/main.ts, configured
 * from the environment like `bun src/main.ts`) plus, on a second port of the same process, the baseline routes
 * that share its database connections and event loop:
 *   - `POST /bench/bare-insert`: zod-validate the body and insert one row through the same group-committed writer
 *     (the floor any notification API on this stack pays);
 *   - `GET /bench/bare-read/:id`: one indexed point read (`inbox_counters`) on the read connection.
 * Prints one JSON line `{"bench":"listening","port":…,"baselinePort":…}`. Expects the table `bench_bare`.
 */
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { loadConfigOrExit, serve } from "../src/main.ts";

const running = await serve(loadConfigOrExit());
const { db } = running.deps;

const BareBody = z.object({
  recipientId: z.string().min(1),
  template: z.string().min(1),
  context: z.record(z.string(), z.unknown()),
  priority: z.enum(["URGENT", "HIGH", "MEDIUM", "LOW"]).optional(),
});

const baseline = new Hono();
baseline.post("/bench/bare-insert", async (c) => {
  const parsed = BareBody.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: "invalid" }, 400);
  await db.write((tx) =>
    tx.run(
      sql`INSERT INTO bench_bare (recipient_id, body) VALUES (${parsed.data.recipientId}, ${JSON.stringify(parsed.data.context)})`,
    ),
  );
  return c.json({ ok: true }, 201);
});
baseline.get("/bench/bare-read/:id", async (c) => {
  const rows = await db.read.run(
    sql`SELECT unread FROM inbox_counters WHERE recipient_id = ${c.req.param("id")}`,
  );
  return c.json({ unread: rows.rows[0]?.[0] ?? 0 });
});
const bare = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: baseline.fetch });
console.log(JSON.stringify({ bench: "listening", port: running.port, baselinePort: bare.port }));

const signal = await new Promise<string>((resolve) => {
  process.on("SIGTERM", () => resolve("SIGTERM"));
  process.on("SIGINT", () => resolve("SIGINT"));
});
bare.stop(true);
await running.stop();
console.log(JSON.stringify({ bench: "stopped", signal }));
process.exit(0);
