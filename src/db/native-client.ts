/**
 * A libSQL client for local files that prepares each statement once per connection.
 *
 * Why: `@libsql/client`'s local driver prepares every statement again on every call and reads its column
 * metadata twice (166-226 µs per small read, against 12-18 µs for the same native statement prepared once;
 * `bun scripts/bench-driver.ts`). Drizzle's libSQL driver only needs the `Client` interface, so this module
 * implements it with a bounded, connection-local statement cache: the pattern of rusqlite's `prepare_cached`
 * and go-sqlite3's statement cache. Remote URLs (`libsql://`, `http(s)://`) keep using `@libsql/client`.
 *
 * The engine underneath is Bun's built-in SQLite (`bun:sqlite`), not the `libsql` addon that `@libsql/client`
 * wraps: it materialises rows about twice as fast (a 21-row inbox page: 33 µs against 58 µs) because it does
 * not cross N-API per value, and it binds integers as INTEGER (libsql binds every JS number as REAL). The file
 * format, WAL and locking are SQLite's own, so Litestream, the CLI and other processes share the file as before.
 * A process must not open the same file through both engines (closing one engine's descriptor drops the
 * other's POSIX locks), so every local open in Herald goes through this module.
 *
 * What it keeps from `@libsql/client`, so behaviour does not change under drizzle: one connection, the same
 * BEGIN modes, errors carrying SQLite's base `code` (busy detection reads it), booleans and dates bound as
 * numbers, `undefined` refused, rows that are both arrays (drizzle reads them by index) and objects (raw `sql`
 * reads them by name). Integers beyond 2^53 are not expected: Herald stores epoch milliseconds and counts.
 */
import { SQLiteError, Database as SqliteDatabase, type Statement as SqliteStatement } from "bun:sqlite";
// Types only: importing `@libsql/client` itself would load the libsql native addon (9 MB) for nothing.
import type { Client, InArgs, InStatement, ResultSet, Transaction, TransactionMode } from "@libsql/client";

/**
 * An error from the local database, shaped as `@libsql/client`'s `LibsqlError`: `code` is SQLite's base code
 * (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …) or the client's own (`CLIENT_CLOSED`, …), `extendedCode` SQLite's
 * extended one.
 */
export class LocalDatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly extendedCode?: string,
    readonly rawCode?: number,
    cause?: Error,
  ) {
    super(`${code}: ${message}`, { cause });
    this.name = "LocalDatabaseError";
  }
}

/**
 * SQL texts whose rows only drizzle's typed mapping reads, by index (`prepared.ts` registers its typed
 * queries). Their rows are the plain arrays SQLite's driver returns: the named view every other caller may
 * read costs an object per row and a slow index walk in drizzle's mapping (about 1.5 µs a row).
 */
const arrayRowSql = new Set<string>();

/** Marks `sql` as read only by index (see {@link arrayRowSql}). */
export function useArrayRows(sql: string): void {
  arrayRowSql.add(sql);
}

/** Most prepared statements kept per connection. Herald issues about 150 distinct statements. */
export const STATEMENT_CACHE_SIZE = 256;

type NativeStatement = SqliteStatement;

/**
 * The base of every row: its values in a private field, which no enumeration, JSON or equality check sees.
 * Each statement derives a class from it whose prototype adds the index getters and `length`.
 */
class Row {
  readonly #values: unknown[];
  constructor(values: unknown[]) {
    this.#values = values;
  }
  static valuesOf(row: Row): unknown[] {
    return row.#values;
  }
}

/**
 * A prepared statement with what every execution needs: whether it returns rows, and, for those that do, the
 * prototype of its rows (column names, and index getters so a row reads as an array too).
 */
interface CachedStatement {
  native: NativeStatement;
  reader: boolean;
  /** Rows are returned as plain arrays (see {@link arrayRowSql}). */
  arrayRows: boolean;
  columns: string[];
  columnTypes: string[];
  RowClass: new (values: unknown[]) => Row;
}

/** Counters a test or `/metrics` can read. */
export interface StatementCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
}

/**
 * One native connection and its prepared statements. Statements belong to their connection: closing it (on
 * reconnect after SQLITE_BUSY, or at shutdown) drops the cache with it.
 */
class Connection {
  readonly native: SqliteDatabase;
  open = true;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used entry first.
  private readonly statements = new Map<string, CachedStatement>();

  constructor(
    path: string,
    timeoutMs: number,
    private readonly capacity: number,
    readonly stats: StatementCacheStats,
  ) {
    this.native = new SqliteDatabase(path, { create: true, readwrite: true });
    // Set here as well as by the database's configure(): no statement may ever run without it.
    this.native.run(`PRAGMA busy_timeout=${Math.trunc(timeoutMs)}`);
  }

  /** The cached statement for `sql`, preparing (and caching) it on a miss. */
  statement(sql: string): CachedStatement {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      this.stats.hits++;
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    this.stats.misses++;
    const native = this.native.prepare(sql) as NativeStatement;
    const reader = native.columnNames.length > 0;
    const statement: CachedStatement = {
      native,
      reader,
      arrayRows: arrayRowSql.has(sql),
      columns: [],
      columnTypes: [],
      RowClass: Row,
    };
    if (reader) describeColumns(statement);
    if (this.statements.size >= this.capacity) {
      const oldest = this.statements.keys().next().value as string;
      this.statements.get(oldest)?.native.finalize();
      this.statements.delete(oldest);
      this.stats.evictions++;
    }
    this.statements.set(sql, statement);
    this.stats.size = this.statements.size;
    return statement;
  }

  /**
   * Forgets every prepared statement. Called after this connection changes the schema: SQLite re-prepares a
   * statement whose schema changed by itself, but the column names cached beside it would be stale.
   */
  clearStatements(): void {
    for (const statement of this.statements.values()) statement.native.finalize();
    this.statements.clear();
    this.stats.size = 0;
  }

  close(): void {
    if (!this.open) return;
    this.clearStatements();
    this.open = false;
    this.native.close();
  }
}

/** Reads a statement's columns and builds the prototype its rows share. */
function describeColumns(statement: CachedStatement): void {
  const columns = statement.native.columnNames;
  statement.columns = [...columns];
  // Declared types are known only after a step; drizzle never reads them, so they stay empty as for expressions.
  statement.columnTypes = columns.map(() => "");
  const RowClass = class extends Row {};
  Object.defineProperty(RowClass.prototype, "length", { value: columns.length });
  for (let i = 0; i < columns.length; i++) {
    Object.defineProperty(RowClass.prototype, i, {
      get(this: Row) {
        return Row.valuesOf(this)[i];
      },
    });
  }
  statement.RowClass = RowClass;
}

/**
 * A row as `@libsql/client` returns it: named, enumerable properties (the first of duplicate names wins) and
 * non-enumerable index properties plus `length`, so `Array.prototype.slice.call(row)` gives its values.
 */
function toRow(statement: CachedStatement, values: unknown[]): Record<string, unknown> {
  const row = new statement.RowClass(values) as unknown as Record<string, unknown>;
  const { columns } = statement;
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i] as string;
    if (name !== "length" && !Object.hasOwn(row, name)) row[name] = values[i];
  }
  return row;
}

/** libSQL's argument conversions (booleans, dates, array buffers), as `@libsql/client` applies them. */
function toNativeArgs(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return NO_ARGS;
  if (Array.isArray(args)) {
    let converted: unknown[] | null = null;
    for (let i = 0; i < args.length; i++) {
      const value = args[i];
      const native = toNativeValue(value);
      if (native !== value) {
        converted ??= args.slice();
        converted[i] = native;
      }
    }
    return converted ?? args;
  }
  // bun:sqlite matches named parameters with their prefix; libSQL accepts keys with or without it.
  const named: Record<string, unknown> = {};
  for (const key of Object.keys(args)) {
    const value = toNativeValue((args as Record<string, unknown>)[key]);
    if (key[0] === "@" || key[0] === "$" || key[0] === ":") named[key] = value;
    else for (const prefix of ["$", ":", "@"]) named[prefix + key] = value;
  }
  return named;
}

const NO_ARGS: unknown[] = [];

function toNativeValue(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "bigint":
      return value;
    case "number":
      if (!Number.isFinite(value))
        throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "undefined":
      throw new TypeError("undefined cannot be passed as argument to the database");
    default:
      if (value instanceof Date) return value.valueOf();
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      return value;
  }
}

const SQLITE_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

/** Maps SQLite's error to one with the base code (extended code beside it), as `@libsql/client` does. */
function toLibsqlError(error: unknown): unknown {
  if (error instanceof SQLiteError) {
    const rawCode = error.errno;
    const base = SQLITE_CODES[rawCode & 0xff] ?? `SQLITE_UNKNOWN_${rawCode & 0xff}`;
    return new LocalDatabaseError(error.message, base, error.code, rawCode, error);
  }
  return error;
}

/** True when `sql` may change the schema, after which cached column lists could be stale. */
const changesSchema = (sql: string) => /^\s*(create|alter|drop)\b/i.test(sql);

function execute(connection: Connection, stmt: InStatement | string, args?: InArgs): ResultSet {
  const sql = typeof stmt === "string" ? stmt : stmt.sql;
  const nativeArgs = toNativeArgs(typeof stmt === "string" ? args : stmt.args);
  try {
    const statement = connection.statement(sql);
    if (statement.reader) {
      const values = call(statement.native, "values", nativeArgs) as unknown[][];
      // A schema change made elsewhere re-prepares the native statement with a different width: re-read columns.
      if (values.length > 0 && (values[0] as unknown[]).length !== statement.columns.length)
        describeColumns(statement);
      if (statement.arrayRows)
        return resultSet(statement.columns, statement.columnTypes, values as never, 0, undefined);
      const rows = new Array(values.length);
      for (let i = 0; i < values.length; i++) rows[i] = toRow(statement, values[i] as unknown[]);
      return resultSet(statement.columns, statement.columnTypes, rows, 0, undefined);
    }
    const info = call(statement.native, "run", nativeArgs) as {
      changes: number;
      lastInsertRowid: number | bigint;
    };
    if (changesSchema(sql)) connection.clearStatements();
    return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
  } catch (error) {
    throw toLibsqlError(error);
  }
}

/** Runs a bun:sqlite statement method with positional (spread) or named (one object) parameters. */
function call(
  statement: NativeStatement,
  method: "values" | "run",
  args: unknown[] | Record<string, unknown>,
): unknown {
  const run = statement[method] as (...params: unknown[]) => unknown;
  return Array.isArray(args) ? run.apply(statement, args) : run.call(statement, args);
}

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Record<string, unknown>[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows: rows as unknown as ResultSet["rows"],
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((r) => Array.prototype.slice.call(r)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid?.toString() ?? null,
    }),
  };
}

const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

/** Options for {@link openNativeClient}. */
export interface NativeClientOptions {
  /** Path of the database file. */
  path: string;
  /** SQLite busy timeout; at least 5,000 ms (see database.ts). */
  timeoutMs: number;
  statementCacheSize?: number;
}

/** A `Client` over one native connection, plus what tests and metrics read of its statement cache. */
export interface NativeClient extends Client {
  readonly statementCache: StatementCacheStats;
}

/** Opens one native connection to the local file at `options.path`. */
export function openNativeClient(options: NativeClientOptions): NativeClient {
  const stats: StatementCacheStats = { hits: 0, misses: 0, evictions: 0, size: 0 };
  const capacity = options.statementCacheSize ?? STATEMENT_CACHE_SIZE;
  const connect = () => new Connection(options.path, options.timeoutMs, capacity, stats);
  let connection = connect();
  let transactionOpen = false;

  const current = () => {
    if (client.closed) throw new LocalDatabaseError("The client is closed", "CLIENT_CLOSED");
    return connection;
  };
  /** The connection for work that opens its own transaction, which cannot nest in an open one. */
  const usable = () => {
    current();
    if (transactionOpen) {
      throw new LocalDatabaseError(
        "This client has a single connection, which an open transaction is holding",
        "TRANSACTION_ACTIVE",
      );
    }
    return connection;
  };

  /** Runs `stmts` in one transaction on `conn`, as `batch` and `migrate` do. */
  const inTransaction = (conn: Connection, begin: string, stmts: InStatement[]) => {
    execute(conn, begin);
    try {
      const results = stmts.map((s) => execute(conn, Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s));
      execute(conn, "COMMIT");
      return results;
    } finally {
      if (conn.open && conn.native.inTransaction) conn.native.run("ROLLBACK");
    }
  };

  const client: NativeClient = {
    closed: false,
    protocol: "file",
    statementCache: stats,
    // One connection: a statement executed while a transaction is open runs inside it. prepared.ts relies on
    // this (queries prepared on the writer run in the writer's open transaction), and the writer's queue
    // makes that transaction's work the only caller meanwhile.
    async execute(stmtOrSql: InStatement | string, args?: InArgs) {
      return execute(current(), stmtOrSql, args);
    },
    async batch(stmts: InStatement[], mode: TransactionMode = "deferred") {
      return inTransaction(usable(), BEGIN[mode], stmts);
    },
    async migrate(stmts: InStatement[]) {
      const conn = usable();
      conn.native.run("PRAGMA foreign_keys=off");
      try {
        return inTransaction(conn, BEGIN.deferred, stmts);
      } finally {
        conn.native.run("PRAGMA foreign_keys=on");
        conn.clearStatements();
      }
    },
    async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
      const conn = usable();
      execute(conn, BEGIN[mode]);
      transactionOpen = true;
      let settled = false;
      const settle = () => {
        settled = true;
        transactionOpen = false;
      };
      const open = () => {
        if (settled || !conn.open || !conn.native.inTransaction) {
          throw new LocalDatabaseError("The transaction is closed", "TRANSACTION_CLOSED");
        }
        return conn;
      };
      return {
        async execute(stmtOrSql: InStatement | string, args?: InArgs) {
          return execute(open(), stmtOrSql, args);
        },
        async batch(stmts: InStatement[]) {
          const c = open();
          return stmts.map((s) => execute(c, s));
        },
        async executeMultiple(sql: string) {
          try {
            open().native.run(sql);
          } catch (error) {
            throw toLibsqlError(error);
          } finally {
            if (changesSchema(sql)) conn.clearStatements();
          }
        },
        async commit() {
          try {
            execute(open(), "COMMIT");
          } finally {
            settle();
          }
        },
        async rollback() {
          try {
            if (!settled && conn.open && conn.native.inTransaction) execute(conn, "ROLLBACK");
          } finally {
            settle();
          }
        },
        close() {
          if (settled) return;
          try {
            if (conn.open && conn.native.inTransaction) conn.native.run("ROLLBACK");
          } finally {
            settle();
          }
        },
        get closed() {
          return settled || !conn.open || !conn.native.inTransaction;
        },
      } as Transaction;
    },
    async executeMultiple(sql: string) {
      const conn = usable();
      try {
        conn.native.run(sql);
      } catch (error) {
        throw toLibsqlError(error);
      } finally {
        if (changesSchema(sql)) conn.clearStatements();
      }
    },
    async sync() {
      throw new LocalDatabaseError("sync() is only for embedded replicas", "SYNC_NOT_SUPPORTED");
    },
    async reconnect() {
      // A connection that saw SQLITE_BUSY may be poisoned (libSQL can drop later writes): start over, and its
      // prepared statements die with it.
      connection.close();
      connection = connect();
      transactionOpen = false;
      client.closed = false;
    },
    close() {
      client.closed = true;
      connection.close();
    },
  } as NativeClient;
  return client;
}
