import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';

/**
 * Destroys engine instances that no server row claims. The spec is written before an instance
 * is made, so an instance without a row can only be left over from an interrupted delete.
 */
export function createOrphanSweep({ db, engine, everyMs }: { db: Kysely<Database>; engine: Engine; everyMs: number }): Reconciler {
  return async () => {
    const ids = await engine.compute.list();
    if (ids.length) {
      const known = new Set((await db.selectFrom('servers').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
      for (const id of ids) if (!known.has(id)) await engine.compute.destroy(id);
    }
    return { againMs: everyMs };
  };
}
