/**
 * The handles queries run on, apart from `database.ts` so the modules the database itself uses (prepared
 * statements) can name them without importing it.
 */
import type { LibSQLDatabase } from "drizzle-orm/libsql";

/** A drizzle handle for reads (the reader connection) or the open write transaction. */
export type Db = LibSQLDatabase;
/** The write transaction (or savepoint) a unit of work runs in. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything queries can run on: the reader or a write transaction. Repos take this. */
export type Queryable = Db | Tx;
