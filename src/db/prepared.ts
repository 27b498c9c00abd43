/**
 * Drizzle queries built once, not per call.
 *
 * Building a query's SQL text (drizzle's `_prepare`, `sqlToQuery`, `mergeQueries`, `escapeName`) cost about
 * 30 % of the CPU of `POST /v1/notifications`. A hot query is therefore written once with `sql.placeholder`
 * and prepared per connection; each call only fills in the values, and the connection's statement cache
 * (native-client.ts) reuses the native statement for the same SQL text. The code stays drizzle: the query is
 * the same builder chain, ending in `.prepare()`.
 *
 * Which connection: reads prepare on the reader. Writes run inside the writer's open transaction, and a query
 * prepared on the writer's root handle runs on the same (single) local connection, so inside that
 * transaction; `database.ts` records each transaction's root for {@link preparedRoot}. On a remote database
 * (sqld) a root-prepared query would run outside the transaction, so there the query is prepared on the
 * transaction itself, per call (correct, and a network round trip dwarfs the build cost anyway).
 */
import { type Placeholder, sql } from "drizzle-orm";
import { useArrayRows } from "./native-client.ts";
import type { Db, Queryable } from "./queryable.ts";

const roots = new WeakMap<object, Db>();

/**
 * Records that `tx` runs on `root`'s single local connection, so queries prepared on `root` may run inside
 * `tx`. Only `database.ts` calls this, and only for local files.
 */
export function registerTransactionRoot(tx: object, root: Db): void {
  roots.set(tx, root);
}

/** The handle a prepared query may be built on for `q`: its root for a local transaction, else `q` itself. */
export function preparedRoot(q: Queryable): { handle: Queryable; shared: boolean } {
  const root = roots.get(q);
  if (root) return { handle: root, shared: true };
  // A handle that is not a registered transaction is a root (the reader or writer) or a remote transaction.
  return { handle: q, shared: !isTransaction(q) };
}

/** Drizzle transactions carry a nesting index; root handles do not. */
function isTransaction(q: Queryable): boolean {
  return "nestedIndex" in q;
}

/**
 * A query built once per connection: `prepared((db) => db.select()…where(eq(t.id, sql.placeholder("id"))).prepare())`
 * returns a function that takes a handle (the reader or an open transaction) and gives the prepared query to
 * call with `.all({ id })`, `.get(…)`, `.run(…)`.
 */
export function prepared<Q>(build: (db: Queryable) => Q): (q: Queryable) => Q {
  const built = new WeakMap<object, Q>();
  return (q) => {
    const { handle, shared } = preparedRoot(q);
    if (!shared) return build(handle);
    let query = built.get(handle);
    if (query === undefined) {
      query = build(handle);
      built.set(handle, query);
      registerRowShape(query);
    }
    return query;
  };
}

/**
 * A typed query (one with selected fields, or `returning`) reads its rows only through drizzle's mapping, by
 * index: its SQL may get plain array rows from the local driver. `fields` is drizzle's own (internal) record of
 * the selection; without it drizzle hands rows to the caller as objects, so those keep the named form.
 */
function registerRowShape(query: unknown): void {
  const q = query as { fields?: unknown; getQuery?: () => { sql: string } };
  if (q.fields !== undefined && typeof q.getQuery === "function") useArrayRows(q.getQuery().sql);
}

/** `{ key: sql.placeholder("key") }` for each key: the values of a prepared insert, filled in per call. */
export function placeholders<K extends string>(keys: readonly K[]): Record<K, Placeholder<K>> {
  return Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)])) as Record<K, Placeholder<K>>;
}
