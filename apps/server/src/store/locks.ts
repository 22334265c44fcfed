import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Serializes transactions that touch the same `key` until the caller's transaction ends.
 * PostgreSQL runs transactions side by side (read committed), so two creates could both pick
 * the same "lowest free" address or name; an advisory lock makes them take turns. SQLite's
 * BEGIN IMMEDIATE already lets one writer in at a time, so there it does nothing.
 */
export async function lockFor(trx: Kysely<Database>, dialect: 'sqlite' | 'postgres', key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}
