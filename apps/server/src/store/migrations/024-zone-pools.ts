import type { Kysely } from 'kysely';

/** Public IP pools in zones (JSON list of pool ids): a pool's addresses are in its zone wherever they sit. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('zones').addColumn('pools', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}
