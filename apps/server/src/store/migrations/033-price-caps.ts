import type { Kysely } from 'kysely';

/**
 * An optional monthly cap on a price, as hosters offer it: what one resource is charged in a
 * calendar month under prices with a cap never exceeds that cap (micro-cents; null for none).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('prices').addColumn('cap_uc', 'bigint').execute();
}
