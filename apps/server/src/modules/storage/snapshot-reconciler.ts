import type { Kysely } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine, SnapshotTarget, TaskRef } from '../../drivers/types.ts';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { message } from '../../lib/messages.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { type LifecycleChange, productKey } from '../billing/meter-kinds.ts';
import type { Operations } from '../operations/service.ts';
import { readSnapshotRow, setSnapshotCondition, setSnapshotPhase } from './snapshot-record.ts';

/** Failed passes in a row before the snapshot is marked Failed and its operations end. */
const MAX_ATTEMPTS = 5;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  engine: Pick<Engine, 'storage' | 'compute'>;
  operations: Operations;
  /** Whether the server or volume still exists and is not being deleted. */
  ownerLive: (target: SnapshotTarget) => Promise<boolean>;
  resyncMs: number;
  log: (text: string) => void;
  /** Told every lifecycle change inside the transaction that commits it (the meter bills GB-seconds by space used from it). */
  onLifecycle?: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
}

/**
 * The snapshot reconciler: takes the snapshot when the backend has none, performs the rollbacks
 * asked for and not yet done, and removes it when deletion is asked for or its resource is gone.
 * A pass killed halfway is repeated: taking and removing are idempotent, a rollback done twice
 * restores the same bytes.
 */
export function createSnapshotReconciler(d: Deps): Reconciler {
  const { db, clock, operations } = d;
  const storage = d.engine.storage;
  // An engine with tasks (Proxmox) answers a task: the step is done when it ended, not when it was asked for.
  const settle = async (ref: TaskRef | null) => {
    const deadline = Date.now() + 600_000;
    while (ref) {
      const s = await d.engine.compute.task(ref);
      if (s.done) {
        if (s.error) throw new Error(s.error);
        return;
      }
      if (Date.now() > deadline) throw new Error(`task ${ref.id} did not end in 10 minutes`);
      await sleep(250);
    }
  };
  const progress = (id: string, step: string, pct: number) => db.transaction().execute((trx) => operations.progress(trx, id, step, pct));

  return async (id, attempts) => {
    const row = await db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { againMs: null };
    const { spec, status } = readSnapshotRow(row);
    const target: SnapshotTarget = { kind: row.target_type, id: row.target_id };
    let saved = false;
    const save = (trx: Kysely<Database>) => trx.updateTable('snapshots').set({ status: JSON.stringify(status), updated_at: clock() }).where('id', '=', id).execute();
    // Billed by the space the snapshot takes where the backend knows it, else by its size.
    const metered = async (trx: Kysely<Database>, phase: string, at = clock()) =>
      d.onLifecycle?.(trx, { resourceId: id, kind: 'snapshot', tenantId: row.tenant_id, name: row.name, product: productKey('snapshot'), quantity: status.usedBytes ?? status.sizeBytes ?? 0, phase, at });
    try {
      if (row.deletion_requested_at !== null || !(await d.ownerLive(target))) {
        await db.transaction().execute((trx) => metered(trx, 'Deleting', row.deletion_requested_at ?? clock()));
        setSnapshotPhase(status, 'Deleting', clock());
        await progress(id, 'removing the snapshot', 50);
        await settle(await storage.removeSnapshot(target, id));
        if (await storage.inspectSnapshot(target, id)) return { againMs: 1000 };
        await db.transaction().execute(async (trx) => {
          await operations.succeed(trx, id, row.generation, 'deleted');
          await trx.deleteFrom('snapshots').where('id', '=', id).execute();
          await metered(trx, 'Deleted');
        });
        saved = true;
        return { againMs: null };
      }
      let observed = await storage.inspectSnapshot(target, id);
      if (!observed) {
        if (status.takenAt) throw new Error(`snapshot ${id} of ${target.id} is gone from the backend`);
        setSnapshotPhase(status, 'Creating', clock());
        await progress(id, 'taking the snapshot', 30);
        await settle(await storage.snapshot(target, id));
        observed = await storage.inspectSnapshot(target, id);
        if (!observed) throw new Error(`snapshot ${id} is absent right after it was taken`);
      }
      if (spec.rollbacks > status.rollbacksDone) {
        setSnapshotPhase(status, 'RollingBack', clock());
        await save(db);
        await progress(id, `rolling ${target.id} back`, 60);
        await settle(await storage.rollback(target, id));
        status.rollbacksDone = spec.rollbacks;
      }
      status.takenAt = iso(observed.takenAt)!;
      status.sizeBytes = observed.sizeBytes;
      status.usedBytes = observed.usedBytes;
      status.observedGeneration = row.generation;
      setSnapshotPhase(status, 'Ready', clock());
      setSnapshotCondition(status, { type: 'Ready', status: 'True', reason: 'Ready', message: 'the snapshot is ready' }, clock());
      await db.transaction().execute(async (trx) => {
        await save(trx);
        await metered(trx, status.phase);
        await operations.succeed(trx, id, row.generation);
      });
      saved = true;
      return { againMs: d.resyncMs };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const code = err instanceof DomainError ? err.code : 'ENGINE_ERROR';
      const plain = message('en', code, err instanceof DomainError ? err.params : {});
      if (attempts + 1 >= MAX_ATTEMPTS) {
        d.log(`kumulus: snapshot ${id} failed: ${detail}`);
        // A rollback that failed for good is not retried forever; the snapshot itself stays usable.
        if (spec.rollbacks > status.rollbacksDone) status.rollbacksDone = spec.rollbacks;
        setSnapshotPhase(status, status.takenAt ? 'Ready' : 'Failed', clock());
        setSnapshotCondition(status, { type: 'Ready', status: status.takenAt ? 'True' : 'False', reason: 'Failed', message: plain }, clock());
        await db.transaction().execute(async (trx) => {
          await save(trx);
          await metered(trx, status.phase);
          await operations.fail(trx, id, { code, message: plain, detail });
        });
        saved = true;
        return { againMs: 60_000 };
      }
      setSnapshotCondition(status, { type: 'Ready', status: 'False', reason: 'Retrying', message: `${plain} Trying again (attempt ${attempts + 2} of ${MAX_ATTEMPTS}).` }, clock());
      throw err;
    } finally {
      if (!saved) await save(db);
    }
  };
}
