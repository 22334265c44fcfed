import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database } from './schema.ts';

/** A column of a bulk insert and its SQL type (PostgreSQL casts the array it arrives in to it). */
export type BulkColumns<R> = { [K in keyof R]?: 'text' | 'bigint' | 'integer' };

/**
 * Inserts many rows with one statement whose SQL text does not depend on the number of rows: on
 * PostgreSQL one array per column through `unnest`, on SQLite one JSON array through `json_each`.
 * A pass of the meter writes thousands of rows; a multi-row VALUES list costs a query compile per
 * chunk and, on PostgreSQL, a round trip per chunk, where this costs one prepared statement per table.
 */
export async function bulkInsert<T extends keyof Database & string>(trx: Kysely<Database>, table: T, columns: BulkColumns<Database[T]>, rows: Database[T][]): Promise<void> {
  if (!rows.length) return;
  const names = Object.keys(columns) as (keyof Database[T] & string)[];
  const cols = sql.join(names.map((n) => sql.ref(n)));
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    const arrays = names.map((n) => sql`${rows.map((r) => (r[n] ?? null) as unknown)}::${sql.raw(columns[n]!)}[]`);
    await sql`insert into ${sql.table(table)} (${cols}) select * from unnest(${sql.join(arrays)})`.execute(trx);
    return;
  }
  const picks = sql.join(names.map((_n, i) => sql`value ->> ${sql.lit(`$[${i}]`)}`));
  const json = JSON.stringify(rows.map((r) => names.map((n) => r[n] ?? null)));
  await sql`insert into ${sql.table(table)} (${cols}) select ${picks} from json_each(${json})`.execute(trx);
}

/**
 * Updates many rows, each by its key, with one statement in the same two forms: `UPDATE … FROM`
 * the rows unnested (PostgreSQL) or read from one JSON array (SQLite ≥ 3.33).
 */
export async function bulkUpdate<T extends keyof Database & string>(trx: Kysely<Database>, table: T, key: keyof Database[T] & string, columns: BulkColumns<Database[T]>, rows: Partial<Database[T]>[]): Promise<void> {
  if (!rows.length) return;
  const names = Object.keys(columns) as (keyof Database[T] & string)[];
  const all = [key, ...names];
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    const arrays = all.map((n) => sql`${rows.map((r) => (r[n] ?? null) as unknown)}::${sql.raw(n === key ? 'text' : columns[n]!)}[]`);
    const sets = sql.join(names.map((n) => sql`${sql.ref(n)} = v.${sql.ref(n)}`));
    await sql`update ${sql.table(table)} as t set ${sets} from unnest(${sql.join(arrays)}) as v(${sql.join(all.map((n) => sql.ref(n)))}) where t.${sql.ref(key)} = v.${sql.ref(key)}`.execute(trx);
    return;
  }
  const sets = sql.join(names.map((n, i) => sql`${sql.ref(n)} = v.value ->> ${sql.lit(`$[${i + 1}]`)}`));
  const json = JSON.stringify(rows.map((r) => all.map((n) => r[n] ?? null)));
  await sql`update ${sql.table(table)} set ${sets} from json_each(${json}) as v where ${sql.ref(`${table}.${key}`)} = v.value ->> '$[0]'`.execute(trx);
}
