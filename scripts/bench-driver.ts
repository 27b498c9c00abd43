/**
 * Driver microbenchmark: what one small read costs through `@libsql/client`, the native libSQL driver it wraps,
 * and Herald's local client (`src/db/native-client.ts`: Bun's SQLite with a per-connection statement cache) and
 * drizzle on it with a prepared query, on the same database file (README "Performance").
 * Run: `bun scripts/bench-driver.ts [iterations]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import Database from "libsql";
import { recipients } from "../db/schema.ts";
import { createDeps } from "../src/bootstrap.ts";
import { loadConfig } from "../src/config.ts";
import { openNativeClient } from "../src/db/native-client.ts";
import { upsertRecipient } from "../src/domain/recipients/recipients.service.ts";
import { createLogger } from "../src/logger.ts";

const iterations = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), "herald-driver-"));
const path = join(dir, "herald.db");
const deps = await createDeps(loadConfig({ DATABASE_URL: `file:${path}`, HERALD_LOG_LEVEL: "error" }), {
  logger: createLogger("error"),
});
await upsertRecipient(deps, "r1", {
  kind: "customer",
  name: "A",
  email: "a@example.com",
  emailVerified: true,
});
await deps.db.close();

const join_ = `SELECT r.*, p.* FROM recipients r LEFT JOIN preferences p ON p.recipient_id = r.id
               WHERE r.id = ? AND r.erased_at IS NULL LIMIT 1`;
const results: [string, number][] = [];
async function measure(label: string, run: () => unknown) {
  for (let i = 0; i < 200; i++) await run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await run();
  results.push([label, ((performance.now() - started) / iterations) * 1000]);
}

const client = createClient({ url: `file:${path}`, timeout: 5000, concurrency: 1 });
await measure("@libsql/client execute (recipient + preferences join)", () =>
  client.execute({ sql: join_, args: ["r1"] }),
);
await measure("@libsql/client execute (SELECT 1)", () => client.execute("SELECT 1"));
const native = new Database(path, { timeout: 5000 });
await measure("native driver, prepare + get on every call", () => native.prepare(join_).get("r1"));
const prepared = native.prepare(join_);
await measure("native driver, statement prepared once", () => prepared.get("r1"));
client.close();
native.close();
const local = openNativeClient({ path, timeoutMs: 5000 });
await measure("Herald's local client execute (statement cache)", () =>
  local.execute({ sql: join_, args: ["r1"] }),
);
const byId = drizzle(local)
  .select()
  .from(recipients)
  .where(eq(recipients.id, sql.placeholder("id")))
  .prepare();
await measure("drizzle prepared select on Herald's local client", () => byId.get({ id: "r1" }));
local.close();
rmSync(dir, { recursive: true, force: true });

const base = results[0]?.[1] ?? 1;
console.log(`\n$ bun scripts/bench-driver.ts ${iterations}`);
console.log("| read | µs per call | vs @libsql/client |\n|---|---:|---:|");
for (const [label, us] of results)
  console.log(`| ${label} | ${us.toFixed(1)} | ${(us / base).toFixed(2)}x |`);
