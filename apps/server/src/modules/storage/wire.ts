/**
 * Puts the storage domain together for serve.ts: volumes, snapshots and root-disk QoS, their
 * reconcilers and routes, over the engine's storage facet.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import type { VolumeStatus } from '@kumulus/api';
import type { Audit } from '../audit/service.ts';
import type { LifecycleChange } from '../billing/meter-kinds.ts';
import type { Quotas } from '../billing/quotas.ts';
import type { Servers } from '../compute/servers.ts';
import { touchesDisks } from '../backup/backup-record.ts';
import type { Operations } from '../operations/service.ts';
import { serverDiskRoutes } from './server-disk-routes.ts';
import { createServerDiskReconciler, createServerDisks, SERVER_DISK } from './server-disks.ts';
import { createSnapshotReconciler } from './snapshot-reconciler.ts';
import { snapshotRoutes } from './snapshot-routes.ts';
import { createSnapshots } from './snapshots.ts';
import { storageRoutes } from './routes.ts';
import { createVolumeReconciler } from './volume-reconciler.ts';
import { createVolumes } from './volumes.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  engine: Engine;
  quotas: Quotas;
  /** This host's name: where new volumes are made. */
  node: string;
  /** Made after storage (it needs the volumes): hence a thunk. */
  servers: () => Servers;
  notify: () => void;
  log: (text: string) => void;
  /** A volume's or snapshot's lifecycle change, for metering. */
  onLifecycle: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
  resyncMs: number;
  /** How many snapshots one volume may keep (a server's limit comes from its plan). */
  volumeSnapshotLimit: number;
}

/** The storage domain, wired. */
export function wireStorage(d: Deps) {
  const { db, clock, ids, audit, operations, queue, dialect, engine } = d;
  const volumes = createVolumes({
    db,
    clock,
    ids,
    audit,
    operations,
    queue,
    dialect,
    storage: engine.storage,
    quotas: d.quotas,
    node: d.node,
    findServer: async (p, idOrName) => {
      const s = await d.servers().get(p, idOrName);
      return { id: s.id, name: s.name, node: s.status.node, deleting: s.status.phase === 'Deleting' };
    },
    notify: d.notify,
    onDelete: (trx, id) => snapshots.ownerGone(trx, id),
  });
  const serverDisks = createServerDisks({
    db,
    clock,
    audit,
    operations,
    queue,
    findServer: async (p, idOrName) => {
      const s = await d.servers().get(p, idOrName);
      return { id: s.id, plan: s.spec.plan };
    },
    notify: d.notify,
  });
  const snapshots = createSnapshots({
    db,
    clock,
    ids,
    audit,
    operations,
    queue,
    dialect,
    storage: engine.storage,
    findOwner: async (p, type, idOrName) => {
      if (type === 'volume') {
        const v = await volumes.get(p, idOrName);
        return { type, id: v.id, name: v.name, limit: d.volumeSnapshotLimit, deleting: v.status.phase === 'Deleting' };
      }
      const s = await d.servers().get(p, idOrName);
      const plan = await db.selectFrom('plans').select('snapshot_limit').where('name', '=', s.spec.plan).executeTakeFirst();
      return { type, id: s.id, name: s.name, limit: plan?.snapshot_limit ?? 3, deleting: s.status.phase === 'Deleting' };
    },
    async backupAtWork(trx, owner) {
      // A volume's disks are backed up with the server it is attached to.
      const serverId = owner.type === 'server' ? owner.id : (JSON.parse((await trx.selectFrom('volumes').select('status').where('id', '=', owner.id).executeTakeFirst())?.status ?? '{}') as VolumeStatus).attachment?.server;
      if (!serverId) return null;
      const rows = await trx.selectFrom('backups').selectAll().where('server_id', '=', serverId).where('deletion_requested_at', 'is', null).execute();
      return rows.find(touchesDisks)?.id ?? null;
    },
    async createServerFrom(p, name, source, requestId) {
      // The image and plan it was made with: the snapshot holds what differs from that image.
      const s = await d.servers().get(p, source.server);
      if (s.spec.kind !== 'container') throw new DomainError('UNSUPPORTED_KIND', { kind: s.spec.kind }, [{ field: 'kind', message: { en: 'only a container’s snapshot becomes a new server so far', de: 'bisher wird nur der Snapshot eines Containers zu einem neuen Server' } }]);
      const nics = s.spec.nics.map((n) => ({ network: n.network }));
      return d.servers().create(p, { name, plan: s.spec.plan, image: s.spec.image, sshKeys: s.spec.sshKeys, nics }, requestId, source);
    },
    createVolumeFrom: (p, body, source, requestId) => volumes.create(p, body, requestId, source),
    notify: d.notify,
  });
  const live = (table: 'servers' | 'volumes', id: string) => db.selectFrom(table).select('id').where('id', '=', id).where('deletion_requested_at', 'is', null).executeTakeFirst();

  return {
    volumes,
    serverDisks,
    snapshots,
    /** What a server's committed phase change means for its storage, in its transaction. */
    async serverPhaseChanged(trx: Kysely<Database>, serverId: string, tenantId: string, phase: string): Promise<void> {
      // A deleted server takes its volumes' attachments and its snapshots with it.
      if (phase === 'Deleted') {
        for (const id of await volumes.attachedTo(trx, tenantId, serverId)) await queue.enqueue(trx, 'volume', id);
        await snapshots.ownerGone(trx, serverId);
      }
      // A server that runs gets its root-disk limits (its plan's, on its first start); a deleted one's row goes.
      if (phase === 'Running' || phase === 'Deleted') await serverDisks.wake(trx, serverId);
    },
    reconcilers: {
      volume: createVolumeReconciler({ db, clock, engine, operations, serverLive: async (id) => !!(await live('servers', id)), resyncMs: d.resyncMs, log: d.log, onLifecycle: d.onLifecycle }),
      snapshot: createSnapshotReconciler({
        db,
        clock,
        engine,
        operations,
        ownerLive: async (t) => !!(await live(t.kind === 'server' ? 'servers' : 'volumes', t.id)),
        resyncMs: d.resyncMs,
        log: d.log,
        onLifecycle: d.onLifecycle,
      }),
      [SERVER_DISK]: createServerDiskReconciler({ db, clock, engine, operations }),
    } satisfies Record<string, Reconciler>,
    routes: [...storageRoutes(volumes), ...snapshotRoutes(snapshots), ...serverDiskRoutes(serverDisks)] satisfies RouteDef[],
    /** After a start: every volume and snapshot is looked at again. */
    async adopt() {
      for (const { id } of await db.selectFrom('volumes').select('id').execute()) await queue.enqueue(db, 'volume', id);
      for (const { id } of await db.selectFrom('snapshots').select('id').execute()) await queue.enqueue(db, 'snapshot', id);
    },
  };
}
