import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';

/**
 * One look at every instance of the engine, instead of one per server: destroys instances that no
 * server row claims (the spec is written before an instance is made, so such an instance is left
 * over from an interrupted delete), and hands to the server reconciler every server whose
 * recorded phase the engine contradicts (stopped or gone behind our back), or that runs without
 * a NIC's host link.
 */
export function createEngineSweep({
  db,
  engine,
  everyMs,
  enqueue,
  claims,
}: {
  db: Kysely<Database>;
  engine: Engine;
  everyMs: number;
  enqueue: (serverId: string) => Promise<void>;
  /** Whether another domain still uses an instance no server row claims (a backup's verification throwaway). */
  claims?: (instanceId: string) => Promise<boolean>;
}): Reconciler {
  return async () => {
    const observed = await engine.compute.observeAll();
    const rows = await db.selectFrom('servers').select(['id', 'status', 'deletion_requested_at']).execute();
    const known = new Set(rows.map((r) => r.id));
    for (const id of observed.keys()) if (!known.has(id) && !(await claims?.(id))) await engine.compute.destroy(id);
    for (const row of rows) {
      const phase = (JSON.parse(row.status) as { phase: string }).phase;
      const o = observed.get(row.id);
      const seen = o?.state ?? 'absent';
      const expected = phase === 'Running' ? 'running' : phase === 'Stopped' ? 'stopped' : null;
      // A running one missing a NIC's host link drifted too, though its phase is right.
      const drifted = seen !== expected || (seen === 'running' && (o?.missingLinks?.length ?? 0) > 0);
      // Phases in motion (Pending, Provisioning, Deleting, Failed) are their reconciler's already.
      if (expected && drifted && row.deletion_requested_at === null) await enqueue(row.id);
    }
    return { againMs: everyMs };
  };
}
