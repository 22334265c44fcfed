import type { Kysely } from 'kysely';

/** Labels on vSwitches (JSON text, as on servers), which `label_selector` on GET /networks matches. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('networks').addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}
