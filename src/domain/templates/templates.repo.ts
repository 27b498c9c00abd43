/** Queries on the `templates` table. */
import { asc, eq } from "drizzle-orm";
import { eventRules, templates } from "../../../db/schema.ts";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import type { TemplateRecord } from "./templates.types.ts";

/** How long a template read for a notification is reused without asking the database again. */
export const TEMPLATE_CACHE_MS = 1000;

/**
 * Every notification reads its template, and a row with large text columns costs a few hundred µs through
 * libSQL. Templates change rarely: changes made through this process clear the cache at once
 * ({@link forgetTemplates}); other processes sharing the database see them within {@link TEMPLATE_CACHE_MS}.
 */
const templateCaches = new WeakMap<Database, Map<string, { row: TemplateRecord | null; until: number }>>();

/** The template called `name` from the reader, cached briefly (see {@link TEMPLATE_CACHE_MS}). */
export async function getTemplateCached(db: Database, name: string): Promise<TemplateRecord | null> {
  let cache = templateCaches.get(db);
  if (!cache) {
    cache = new Map();
    templateCaches.set(db, cache);
  }
  const hit = cache.get(name);
  if (hit && hit.until > performance.now()) return hit.row;
  const row = await getTemplate(db.read, name);
  // Unknown names are not cached, so a flood of bad names cannot grow the map.
  if (row) cache.set(name, { row, until: performance.now() + TEMPLATE_CACHE_MS });
  return row;
}

/** Drops cached templates after this process changed any (call after the write committed). */
export function forgetTemplates(db: Database): void {
  templateCaches.delete(db);
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
