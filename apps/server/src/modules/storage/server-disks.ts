import type { Operation, ServerDiskQos, VolumeQos } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { Clock } from '../../lib/clock.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database, ServerDisksTable } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import type { Operations } from '../operations/service.ts';

/** The queue kind and operation target type of root-disk QoS. */
export const SERVER_DISK = 'server-disk';
const MiB = 1024 * 1024;

/** The id root-disk QoS of a server is reconciled under: its operations must not end the server's. */
export const diskIdOf = (serverId: string) => `dsk_${serverId.slice(4)}`;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  /** A server of the caller's tenant by id or name (SERVER_NOT_FOUND for others'): its id and plan. */
  findServer: (p: Principal, idOrName: string) => Promise<{ id: string; plan: string }>;
  notify: () => void;
}

interface DiskStatus {
  applied: VolumeQos | null;
  observedGeneration: number;
}

/** The plan's root-disk limits; null for none. */
async function planQos(db: Kysely<Database>, plan: string): Promise<VolumeQos | null> {
  const row = await db.selectFrom('plans').select('disk_qos').where('name', '=', plan).executeTakeFirst();
  return row?.disk_qos ? JSON.parse(row.disk_qos) : null;
}

/** Root-disk QoS per server: its own setting over its plan's, applied live by a reconciler. */
export function createServerDisks(d: Deps) {
  const { db, clock } = d;
  const view = async (serverId: string, plan: string, row: ServerDisksTable | undefined): Promise<ServerDiskQos> => {
    const own: VolumeQos | null = row?.qos ? JSON.parse(row.qos) : null;
    const fromPlan = await planQos(db, plan);
    const status: DiskStatus | null = row ? JSON.parse(row.status) : null;
    return { server: serverId, qos: own, plan: fromPlan, effective: own ?? fromPlan ?? {}, applied: row ? status?.observedGeneration === row.generation : fromPlan === null };
  };
  return {
    /** The server's root-disk QoS. */
    async get(p: Principal, idOrName: string): Promise<ServerDiskQos> {
      const s = await d.findServer(p, idOrName);
      return view(s.id, s.plan, await db.selectFrom('server_disks').selectAll().where('server_id', '=', s.id).executeTakeFirst());
    },
    /** Sets (or, with null, clears back to the plan's) the server's own limits; the reconciler applies them live. */
    async set(p: Principal, idOrName: string, qos: VolumeQos | null, requestId: string): Promise<Operation> {
      const s = await d.findServer(p, idOrName);
      const op = await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('server_disks').selectAll().where('server_id', '=', s.id).executeTakeFirst();
        const generation = (row?.generation ?? 0) + 1;
        const values = { qos: qos ? JSON.stringify(qos) : null, generation, updated_at: clock() };
        if (row) await trx.updateTable('server_disks').set(values).where('id', '=', row.id).execute();
        else await trx.insertInto('server_disks').values({ id: diskIdOf(s.id), server_id: s.id, tenant_id: p.tenantId, status: JSON.stringify({ applied: null, observedGeneration: 0 }), ...values }).execute();
        return recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'server.disk-qos', target: { type: SERVER_DISK, id: diskIdOf(s.id) }, generation, requestId, detail: { server: s.id, qos } });
      });
      d.notify();
      return op;
    },
    /** Wakes the reconciler of a server's root disk (a start, a plan default to apply). */
    wake: (trx: Kysely<Database>, serverId: string) => d.queue.enqueue(trx, SERVER_DISK, diskIdOf(serverId)),
  };
}

/** The root-disk QoS service. */
export type ServerDisks = ReturnType<typeof createServerDisks>;

/**
 * Applies a server's root-disk limits (its own, else its plan's) to its instance, live; a server
 * whose instance is not made yet is looked at again soon. Idempotent: the limits are written whole.
 */
export function createServerDiskReconciler(d: { db: Kysely<Database>; clock: Clock; engine: Pick<Engine, 'storage' | 'compute'>; operations: Operations }): Reconciler {
  const { db } = d;
  return async (id) => {
    const server = await db.selectFrom('servers').select(['id', 'tenant_id', 'spec', 'deletion_requested_at']).where('id', '=', `srv_${id.slice(4)}`).executeTakeFirst();
    const row = await db.selectFrom('server_disks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!server || server.deletion_requested_at !== null) {
      // The limits go with the instance; only the row is left to remove.
      if (row) await db.transaction().execute(async (trx) => {
        await d.operations.succeed(trx, id, row.generation, 'server deleted');
        await trx.deleteFrom('server_disks').where('id', '=', id).execute();
      });
      return { againMs: null };
    }
    if (!d.engine.storage.capabilities.qos) return { againMs: null };
    // A VM's root disk is QEMU's file, not a block device in a container's cgroup: not limited yet.
    if ((JSON.parse(server.spec) as { kind?: string }).kind === 'vm') return { againMs: null };
    if (!(await d.engine.compute.inspect(server.id))) return { againMs: 2000 };
    const own: VolumeQos | null = row?.qos ? JSON.parse(row.qos) : null;
    const q = own ?? (await planQos(db, JSON.parse(server.spec).plan)) ?? {};
    await d.engine.storage.limitRootDisk(server.id, {
      ...(q.readMBps ? { readBytesPerSec: q.readMBps * MiB } : {}),
      ...(q.writeMBps ? { writeBytesPerSec: q.writeMBps * MiB } : {}),
      ...(q.readIops ? { readIops: q.readIops } : {}),
      ...(q.writeIops ? { writeIops: q.writeIops } : {}),
    });
    await db.transaction().execute(async (trx) => {
      const status = JSON.stringify({ applied: q, observedGeneration: row?.generation ?? 1 });
      if (row) {
        await trx.updateTable('server_disks').set({ status, updated_at: d.clock() }).where('id', '=', id).execute();
        await d.operations.succeed(trx, id, row.generation);
      } else if (Object.keys(q).length > 0) {
        // The plan's limits are in force now: a row says so (and that they were applied).
        await trx.insertInto('server_disks').values({ id, server_id: server.id, tenant_id: server.tenant_id, qos: null, generation: 1, status, updated_at: d.clock() }).onConflict((oc) => oc.column('id').doNothing()).execute();
      }
    });
    return { againMs: null };
  };
}
