/** Queries on the `templates` table. */
import { asc, eq, gt } from "drizzle-orm";
import { eventRules, templates } from "../../../db/schema.ts";
import type { Caches } from "../../caches.ts";
import type { Database } from "../../db/database.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import type { TemplateRecord } from "./templates.types.ts";

/**
 * The template called `name` from the reader, cached briefly (`TEMPLATE_CACHE_MS`, caches.ts): every
 * notification reads its template, a row with large text columns costs a few hundred µs, and templates change
 * rarely.
 */
export function getTemplateCached(
  { db, caches }: { db: Database; caches: Caches },
  name: string,
): Promise<TemplateRecord | null> {
  return caches.templates.get(name, () => getTemplate(db.read, name));
}

/** Drops cached templates after this process changed any (call after the write committed). */
export function forgetTemplates(caches: Caches): void {
  caches.templates.clear();
}

/** The template called `name` on `q`, or null. */
export async function getTemplate(q: Queryable, name: string): Promise<TemplateRecord | null> {
  const [row] = await q.select().from(templates).where(eq(templates.name, name)).limit(1);
  return row ?? null;
}

/** Every template, by name. */
export async function listTemplateRows(q: Queryable): Promise<TemplateRecord[]> {
  return q.select().from(templates).orderBy(asc(templates.name));
}

/** Up to `limit` templates whose names sort after `after` (`""` for the first page), by name. */
export async function templateRowsAfter(
  q: Queryable,
  after: string,
  limit: number,
): Promise<TemplateRecord[]> {
  return q
    .select()
    .from(templates)
    .where(gt(templates.name, after))
    .orderBy(asc(templates.name))
    .limit(limit);
}

/** Inserts `row` unless the name is taken; returns whether it was inserted. */
export async function insertTemplateIfAbsent(tx: Tx, row: TemplateRecord): Promise<boolean> {
  const inserted = await tx
    .insert(templates)
    .values(row)
    .onConflictDoNothing()
    .returning({ name: templates.name });
  return inserted.length > 0;
}

/** Replaces the stored row of `row.name`. */
export async function replaceTemplateRow(tx: Tx, row: TemplateRecord): Promise<void> {
  await tx.update(templates).set(row).where(eq(templates.name, row.name));
}

/** Deletes the template; returns whether it existed. */
export async function deleteTemplateRow(tx: Tx, name: string): Promise<boolean> {
  const deleted = await tx
    .delete(templates)
    .where(eq(templates.name, name))
    .returning({ name: templates.name });
  return deleted.length > 0;
}

/** The event types whose rules use the template. */
export async function rulesUsingTemplate(q: Queryable, name: string): Promise<string[]> {
  const rows = await q
    .select({ eventType: eventRules.eventType })
    .from(eventRules)
    .where(eq(eventRules.template, name))
    .orderBy(asc(eventRules.eventType));
  return rows.map((r) => r.eventType);
}
