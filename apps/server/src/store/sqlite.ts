import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CompiledQuery, type DatabaseConnection, SqliteDriver } from 'kysely';

/** Converts values Kysely hands us into what node:sqlite binds (no booleans, no undefined). */
function bindable(params: readonly unknown[]): SQLInputValue[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : (p as SQLInputValue)));
}

/** How many prepared statements a connection keeps. */
const STATEMENT_CACHE = 256;

/** Opens a node:sqlite database shaped like the better-sqlite3 API Kysely's SQLite driver speaks. */
export function openNodeSqlite(path: string) {
  const db = new DatabaseSync(path);
  // WAL lets readers run beside the one writer; the busy timeout covers a second process
  // (e.g. the CLI reading a data dir) holding the lock briefly.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  // Preparing is most of a statement's cost (a 400-row insert takes milliseconds to compile), and
  // Kysely sends the same SQL again and again: prepared statements are kept, the oldest dropped first.
  const cache = new Map<string, ReturnType<typeof wrap>>();
  const wrap = (sql: string) => {
    const stmt = db.prepare(sql);
    return {
      reader: stmt.columns().length > 0,
      all: (params: readonly unknown[]) => stmt.all(...bindable(params)),
      run: (params: readonly unknown[]) => stmt.run(...bindable(params)),
      iterate: (params: readonly unknown[]) => stmt.iterate(...bindable(params)),
    };
  };
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = wrap(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/**
 * Kysely's SQLite driver shares one connection between all callers; with async code between
 * the statements of a transaction, two transactions would interleave on it. This driver hands
 * the connection to one caller at a time, which is SQLite's single-writer model anyway.
 */
export class SerializedSqliteDriver extends SqliteDriver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  override async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  // BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half-way
  // with SQLITE_BUSY when another process wrote in between.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
