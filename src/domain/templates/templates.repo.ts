/** Queries on the `templates` table. */
import { asc, eq } from "drizzle-orm";
import { eventRules, templates } from "../../../db/schema.ts";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import { createReadCache } from "../../db/read-cache.ts";
import type { TemplateRecord } from "./templates.types.ts";

/** How long a template read for a notification is reused without asking the database again. */
export const TEMPLATE_CACHE_MS = 1000;

/**
 * Every notification reads its template, and a row with large text columns costs a few hundred µs through
 * libSQL; templates change rarely (see {@link createReadCache} for how changes show up).
 */
const cachedTemplates = createReadCache<TemplateRecord>(TEMPLATE_CACHE_MS, 1000);

/** The template called `name` from the reader, cached briefly (see {@link TEMPLATE_CACHE_MS}). */
export function getTemplateCached(db: Database, name: string): Promise<TemplateRecord | null> {
  return cachedTemplates.get(db, name, () => getTemplate(db.read, name));
}

/** Drops cached templates after this process changed any (call after the write committed). */
export function forgetTemplates(db: Database): void {
  cachedTemplates.clear(db);
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
