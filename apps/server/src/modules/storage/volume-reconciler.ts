import type { VolumeAttachment } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { message } from '../../lib/messages.ts';
import type { Engine, VolumeObservation } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { GIB, type LifecycleChange, productKey } from '../billing/meter-kinds.ts';
import type { Operations } from '../operations/service.ts';
import { readVolumeRow, setVolumeCondition, setVolumePhase } from './volume-record.ts';

/** Failed passes in a row before the volume is marked Failed and its operations end. */
const MAX_ATTEMPTS = 5;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  engine: Pick<Engine, 'storage' | 'compute'>;
  operations: Operations;
  /** Whether a server still exists and is not being deleted (a volume cannot stay attached to it otherwise). */
  serverLive: (id: string) => Promise<boolean>;
  /** How often a converged volume is looked at again, to notice drift (a server deleted under it). */
  resyncMs: number;
  /** The operator's log: where the engine's own words go. */
  log: (text: string) => void;
  /** Told every lifecycle change inside the transaction that commits it (the meter bills GB-seconds by size from it). */
  onLifecycle?: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
}

const same = (a: VolumeAttachment | null, b: { instance: string; path: string } | undefined) => !!a && !!b && a.server === b.instance && a.path === b.path;

/**
 * The volume reconciler: makes the volume exist on the backend, mounts it where the spec says
 * (unmounting it from anywhere else), and removes it once deletion is asked for — one pass reads
 * the world and does the next steps, and is safe to run twice.
 */
export function createVolumeReconciler(d: Deps): Reconciler {
  const { db, clock, engine, operations } = d;
  const storage = engine.storage;
  const progress = (id: string, step: string, pct: number) => db.transaction().execute((trx) => operations.progress(trx, id, step, pct));

  return async (id, attempts) => {
    const row = await db.selectFrom('volumes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { againMs: null };
    const { spec, status } = readVolumeRow(row);
    let saved = false;
    const save = (trx: Kysely<Database>) => trx.updateTable('volumes').set({ status: JSON.stringify(status), updated_at: clock() }).where('id', '=', id).execute();
    const metered = async (trx: Kysely<Database>, phase: string, at = clock()) =>
      d.onLifecycle?.(trx, { resourceId: id, kind: 'volume', tenantId: row.tenant_id, name: row.name, product: productKey('volume'), quantity: spec.sizeGb * GIB, phase, at });
    try {
      if (row.deletion_requested_at !== null) {
        // Billing ends when deletion is asked for, not when the backend has finished removing it.
        await db.transaction().execute((trx) => metered(trx, 'Deleting', row.deletion_requested_at!));
        setVolumePhase(status, 'Deleting', clock());
        await progress(id, 'removing the volume', 50);
        await storage.destroy(id);
        if (await storage.inspect(id)) return { againMs: 1000 };
        await db.transaction().execute(async (trx) => {
          await operations.succeed(trx, id, row.generation, 'deleted');
          await trx.deleteFrom('volumes').where('id', '=', id).execute();
          await metered(trx, 'Deleted');
        });
        saved = true;
        return { againMs: null };
      }
      let observed: VolumeObservation | null = await storage.inspect(id);
      if (!observed) {
        setVolumePhase(status, 'Creating', clock());
        await progress(id, 'creating the volume', 30);
        if (spec.source) {
          // A clone holds the snapshot's filesystem, whatever format the request named.
          const from = { kind: spec.source.target.type, id: spec.source.target.id };
          await storage.cloneSnapshot(from, spec.source.snapshot, id);
        } else await storage.create({ id, sizeGb: spec.sizeGb, format: spec.format });
        observed = await storage.inspect(id);
        if (!observed) throw new Error(`volume ${id} is absent right after create`);
      }
      if (observed.sizeBytes < spec.sizeGb * 1024 ** 3) {
        await progress(id, `growing to ${spec.sizeGb} GB`, 40);
        await storage.grow(id, spec.sizeGb);
        observed = (await storage.inspect(id)) ?? observed;
      }
      // A server deleted under its volume takes the attachment with it: the spec says so from now on.
      let wanted = spec.attachment;
      if (wanted && !(await d.serverLive(wanted.server))) {
        setVolumeCondition(status, { type: 'Attached', status: 'False', reason: 'ServerGone', message: `server ${wanted.server} was deleted; the volume was detached` }, clock());
        wanted = null;
        await db.updateTable('volumes').set({ spec: JSON.stringify({ ...spec, attachment: null }) }).where('id', '=', id).execute();
      }
      for (const a of observed.attachments.filter((x) => !same(wanted, x))) {
        await progress(id, `detaching from ${a.instance}`, 60);
        await storage.detach(id, a.instance);
      }
      if (wanted && !observed.attachments.some((x) => same(wanted, x))) {
        // The server's instance is made by its own reconciler; until then there is nothing to mount into.
        if (!(await engine.compute.inspect(wanted.server))) {
          await progress(id, `waiting for server ${wanted.server}`, 50);
          return { againMs: 2000 };
        }
        await progress(id, `attaching to ${wanted.server}`, 70);
        await storage.attach(id, { instance: wanted.server, path: wanted.path });
      }
      // Limits are written on every pass: cheap, and it heals a cgroup reset behind our back.
      if (storage.capabilities.qos && (spec.qos || observed.attachments.length > 0)) {
        const q = spec.qos ?? {};
        const MiB = 1024 * 1024;
        await storage.limit(id, {
          ...(q.readMBps ? { readBytesPerSec: q.readMBps * MiB } : {}),
          ...(q.writeMBps ? { writeBytesPerSec: q.writeMBps * MiB } : {}),
          ...(q.readIops ? { readIops: q.readIops } : {}),
          ...(q.writeIops ? { writeIops: q.writeIops } : {}),
        });
      }
      observed = (await storage.inspect(id)) ?? observed;
      const now = observed.attachments[0];
      status.attachment = now ? { server: now.instance, path: now.path } : null;
      status.usedBytes = observed.usedBytes;
      status.observedGeneration = row.generation;
      setVolumePhase(status, now ? 'Attached' : 'Available', clock());
      setVolumeCondition(status, { type: 'Ready', status: 'True', reason: status.phase, message: now ? `mounted at ${now.path} in ${now.instance}` : 'the volume is ready' }, clock());
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
        d.log(`kumulus: volume ${id} failed: ${detail}`);
        setVolumePhase(status, 'Failed', clock());
        setVolumeCondition(status, { type: 'Ready', status: 'False', reason: 'Failed', message: plain }, clock());
        await db.transaction().execute(async (trx) => {
          await save(trx);
          await metered(trx, 'Failed');
          await operations.fail(trx, id, { code, message: plain, detail });
        });
        saved = true;
        // Keep looking now and then: the backend may recover, and a delete must still go through.
        return { againMs: 60_000 };
      }
      setVolumeCondition(status, { type: 'Ready', status: 'False', reason: 'Retrying', message: `${plain} Trying again (attempt ${attempts + 2} of ${MAX_ATTEMPTS}).` }, clock());
      throw err;
    } finally {
      if (!saved) await save(db);
    }
  };
}
