/**
 * The recipients `scripts/bench.ts` sends to: `bench-<i>` customers with verified email and phone, so a HIGH
 * notification queues both channels (the costliest create). Volume (1M notifications, …) comes from
 * `scripts/seed-volume.ts`.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../src/db/database.ts";

/** libSQL binds JS numbers as REAL ('r' || 1.0 = 'r1.0'); integers go into the SQL text instead. */
const int = (n: number) => sql.raw(String(Math.trunc(n)));

/**
 * `count` recipients `bench-<i>` with verified email and phone (so a HIGH notification queues both channels,
 * the costliest create) and their inbox counters.
 */
export async function seedBenchRecipients(db: Database, count: number): Promise<string[]> {
  await db.write(async (tx) => {
    await tx.run(sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${int(count)})
      INSERT OR IGNORE INTO recipients (id, kind, name, email, email_verified, phone, phone_verified, timezone, locale, created_at, updated_at)
      SELECT 'bench-' || i, 'customer', 'Customer ' || i, 'bench' || i || '@example.test', 1, '+1555' || printf('%07d', i), 1, 'UTC', 'en', 0, 0 FROM n`);
    await tx.run(
      sql`INSERT OR IGNORE INTO inbox_counters (recipient_id, unread, version) SELECT id, 0, 0 FROM recipients WHERE id LIKE 'bench-%'`,
    );
  });
  return Array.from({ length: count }, (_, i) => `bench-${i + 1}`);
}
