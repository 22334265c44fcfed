import type { AttachVolume, CreateVolume, Operation, Page, StatusListQuery, UpdateVolume, Volume, VolumeSpec, VolumeStatus, VolumeWithOperation } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { inPhases, paginate } from '../../lib/paging.ts';
import type { StorageDriver } from '../../drivers/types.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, VolumesTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Quotas } from '../billing/quotas.ts';
import type { Principal } from '../identity/principal.ts';
import { type Operations, toOperation } from '../operations/service.ts';
import { readVolumeRow, setVolumePhase, toVolume } from './volume-record.ts';

const GB = 1024 ** 3;

/** A server as the volumes service needs to know it: by id, and on which host it runs. */
export interface ServerRef {
  id: string;
  name: string;
  node: string | null;
  deleting: boolean;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  storage: Pick<StorageDriver, 'capacity'>;
  /** The tenant's quotas (and its standing), checked inside the create transaction. */
  quotas: Pick<Quotas, 'assertWithin'>;
  /** The host new volumes are made on (the engine has one until clustering comes). */
  node: string;
  /** A server of the caller's tenant by id or name; throws SERVER_NOT_FOUND for others'. */
  findServer: (p: Principal, idOrName: string) => Promise<ServerRef>;
  /** Called after a change is committed, to wake the worker. */
  notify: () => void;
  /** In the transaction that asks for a volume's deletion: wakes what goes with it (its snapshots). */
  onDelete?: (trx: Kysely<Database>, volumeId: string) => Promise<void>;
}

/** Block volumes: their desired state, written in one transaction with an operation and a queue entry. */
export function createVolumes(d: Deps) {
  const { db, clock, ids, audit } = d;

  /** The row of a volume of the caller's tenant, by id or name; a foreign id reads as absent. */
  async function findRow(trx: Kysely<Database>, p: Principal, idOrName: string): Promise<VolumesTable> {
    const column = idOrName.startsWith('vol_') ? 'id' : 'name';
    const row = await trx.selectFrom('volumes').selectAll().where(column, '=', idOrName).where('tenant_id', '=', p.tenantId).executeTakeFirst();
    if (!row) throw new DomainError('VOLUME_NOT_FOUND', { id: idOrName });
    return row;
  }

  /** Refuses changes to a volume whose deletion is under way. */
  async function assertNotDeleting(trx: Kysely<Database>, row: VolumesTable): Promise<void> {
    if (row.deletion_requested_at === null) return;
    const op = await trx.selectFrom('operations').select('id').where('target_id', '=', row.id).where('kind', '=', 'volume.delete').orderBy('created_at', 'desc').executeTakeFirst();
    throw new DomainError('VOLUME_BUSY', { id: row.name, operation: op?.id ?? '-' });
  }

  /** Writes a new spec generation, its operation and a queue entry. */
  async function changeSpec(trx: Kysely<Database>, p: Principal, row: VolumesTable, kind: string, spec: VolumeSpec, requestId: string): Promise<Operation> {
    const generation = row.generation + 1;
    await trx.updateTable('volumes').set({ spec: JSON.stringify(spec), generation, updated_at: clock() }).where('id', '=', row.id).execute();
    return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind, target: { type: 'volume', id: row.id }, generation, requestId });
  }

  const nameTaken = (name: string) =>
    new DomainError('NAME_TAKEN', { kind: 'volume', name }, [{ field: 'name', message: { en: 'a volume of this name exists', de: 'ein Volume dieses Namens existiert' } }]);

  return {
    /** Checks quota and free space and records the volume's spec; the reconciler makes it real. */
    /** Ids of the tenant's volumes attached, or to be attached, to a server (to wake them when it goes). */
    async attachedTo(trx: Kysely<Database>, tenantId: string, serverId: string): Promise<string[]> {
      const rows = await trx.selectFrom('volumes').selectAll().where('tenant_id', '=', tenantId).execute();
      return rows.filter((row) => {
        const { spec, status } = readVolumeRow(row);
        return spec.attachment?.server === serverId || status.attachment?.server === serverId;
      }).map((row) => row.id);
    },

    async create(p: Principal, body: CreateVolume, requestId: string, source?: VolumeSpec['source']): Promise<VolumeWithOperation> {
      // Asked before the transaction: a backend's answer may take a process spawn.
      const free = Math.floor((await d.storage.capacity()).freeBytes / GB);
      if (body.sizeGb > free) throw new DomainError('STORAGE_FULL', { free, requested: body.sizeGb }, [{ field: 'sizeGb', message: { en: `at most ${free} GB are free`, de: `höchstens ${free} GB sind frei` } }]);
      const result = await db.transaction().execute(async (trx) => {
        // Names and the quota are per tenant: concurrent creates take turns.
        await lockFor(trx, d.dialect, `volumes:${p.tenantId}`);
        if (await trx.selectFrom('volumes').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst()) throw nameTaken(body.name);
        await d.quotas.assertWithin(trx, p.tenantId, { volumes: 1, volumeGb: body.sizeGb }, { volumes: 'name', volumeGb: 'sizeGb' });
        const id = ids('vol');
        const now = clock();
        const spec: VolumeSpec = { sizeGb: body.sizeGb, format: body.format ?? 'ext4', attachment: null, ...(body.qos ? { qos: body.qos } : {}), ...(source ? { source } : {}) };
        const status: VolumeStatus = { phase: 'Pending', phaseSince: iso(now)!, observedGeneration: 0, conditions: [], attachment: null, node: d.node, usedBytes: null };
        const row: VolumesTable = {
          id,
          tenant_id: p.tenantId,
          name: body.name,
          labels: JSON.stringify(body.labels ?? {}),
          size_gb: body.sizeGb,
          protected: body.protected ? 1 : 0,
          generation: 1,
          spec: JSON.stringify(spec),
          status: JSON.stringify(status),
          deletion_requested_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('volumes').values(row).execute();
        const operation = await recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'volume.create', target: { type: 'volume', id }, generation: 1, requestId, detail: { name: body.name, sizeGb: body.sizeGb } });
        return { volume: toVolume(row), operation };
      });
      d.notify();
      return result;
    },

    /** Volumes of the caller's tenant, in the phases `status` names (all without it). */
    list(p: Principal, q: StatusListQuery): Promise<Page<Volume>> {
      return paginate(db.selectFrom('volumes').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toVolume, { sort: { name: 'name' }, labels: true, keep: inPhases(q.status) });
    },

    /** One volume of the caller's tenant, by id or name. */
    async get(p: Principal, idOrName: string): Promise<Volume> {
      return toVolume(await findRow(db, p, idOrName));
    },

    /** Renames a volume, replaces its labels, or sets its QoS limits (a spec change the reconciler applies live). */
    async update(p: Principal, idOrName: string, body: UpdateVolume, requestId: string): Promise<Volume> {
      const volume = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `volumes:${p.tenantId}`);
        const row = await findRow(trx, p, idOrName);
        if (body.name !== undefined && body.name !== row.name) {
          if (await trx.selectFrom('volumes').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst()) throw nameTaken(body.name);
        }
        const next = {
          name: body.name ?? row.name,
          labels: body.labels ? JSON.stringify(body.labels) : row.labels,
          ...(body.protected !== undefined ? { protected: body.protected ? 1 : 0 } : {}),
          updated_at: clock(),
        };
        await trx.updateTable('volumes').set(next).where('id', '=', row.id).execute();
        if (body.qos !== undefined) {
          await assertNotDeleting(trx, row);
          const { qos: _old, ...rest } = readVolumeRow(row).spec;
          const spec: VolumeSpec = { ...rest, ...(body.qos ? { qos: body.qos } : {}) };
          await changeSpec(trx, p, row, 'volume.qos', spec, requestId);
          const after = await trx.selectFrom('volumes').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
          await audit.record(trx, actorOf(p, requestId), { action: 'volume.update', targetType: 'volume', targetId: row.id, detail: { ...body } });
          return toVolume(after);
        }
        await audit.record(trx, actorOf(p, requestId), { action: 'volume.update', targetType: 'volume', targetId: row.id, detail: { ...body } });
        return toVolume({ ...row, ...next });
      });
      d.notify();
      return volume;
    },

    /** Asks for the volume to be mounted in a server of the same tenant and host. */
    async attach(p: Principal, idOrName: string, body: AttachVolume, requestId: string): Promise<Operation> {
      const server = await d.findServer(p, body.server);
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        await assertNotDeleting(trx, row);
        const { spec, status } = readVolumeRow(row);
        if (server.deleting) throw new DomainError('CONFLICT', { reason: { en: `server ${server.name} is being deleted`, de: `Server ${server.name} wird gerade gelöscht` } });
        if (server.node && status.node && server.node !== status.node) {
          throw new DomainError('VOLUME_ON_OTHER_HOST', { id: row.name, server: server.name, volumeNode: status.node, serverNode: server.node });
        }
        const path = body.path ?? `/mnt/${row.name}`;
        if (spec.attachment && spec.attachment.server !== server.id) {
          throw new DomainError('VOLUME_ATTACHED', { id: row.name, server: spec.attachment.server });
        }
        return changeSpec(trx, p, row, 'volume.attach', { ...spec, attachment: { server: server.id, path } }, requestId);
      });
      d.notify();
      return op;
    },

    /** Asks for the volume to grow (online when attached); a smaller size is refused with the reason. */
    async resize(p: Principal, idOrName: string, sizeGb: number, requestId: string): Promise<Operation> {
      const row0 = await findRow(db, p, idOrName);
      const more = sizeGb - row0.size_gb;
      const free = Math.floor((await d.storage.capacity()).freeBytes / GB);
      if (more > free) throw new DomainError('STORAGE_FULL', { free, requested: more }, [{ field: 'sizeGb', message: { en: `at most ${free} GB more are free`, de: `höchstens ${free} GB mehr sind frei` } }]);
      const op = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `volumes:${p.tenantId}`);
        const row = await findRow(trx, p, idOrName);
        await assertNotDeleting(trx, row);
        if (sizeGb < row.size_gb) {
          throw new DomainError('VOLUME_SHRINK', { id: row.name, size: row.size_gb }, [{ field: 'sizeGb', message: { en: `at least ${row.size_gb}`, de: `mindestens ${row.size_gb}` } }]);
        }
        await d.quotas.assertWithin(trx, p.tenantId, { volumeGb: sizeGb - row.size_gb }, { volumeGb: 'sizeGb' });
        await trx.updateTable('volumes').set({ size_gb: sizeGb }).where('id', '=', row.id).execute();
        return changeSpec(trx, p, row, 'volume.resize', { ...readVolumeRow(row).spec, sizeGb }, requestId);
      });
      d.notify();
      return op;
    },

    /** Asks for the volume to be unmounted; a detached volume stays detached. */
    async detach(p: Principal, idOrName: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        await assertNotDeleting(trx, row);
        return changeSpec(trx, p, row, 'volume.detach', { ...readVolumeRow(row).spec, attachment: null }, requestId);
      });
      d.notify();
      return op;
    },

    /** Asks for deletion, refused while attached; the row goes once the backend confirms nothing is left. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, idOrName);
        const existing = await trx.selectFrom('operations').selectAll().where('target_id', '=', row.id).where('kind', '=', 'volume.delete').where('state', 'in', ['pending', 'running']).executeTakeFirst();
        if (existing) return toOperation(existing);
        if (row.protected === 1) throw new DomainError('VOLUME_PROTECTED', { id: row.name });
        const { spec, status } = readVolumeRow(row);
        const attached = spec.attachment ?? status.attachment;
        if (attached) throw new DomainError('VOLUME_ATTACHED', { id: row.name, server: attached.server });
        const op = await changeSpec(trx, p, row, 'volume.delete', spec, requestId);
        setVolumePhase(status, 'Deleting', clock());
        await trx.updateTable('volumes').set({ deletion_requested_at: clock(), status: JSON.stringify(status) }).where('id', '=', row.id).execute();
        await d.onDelete?.(trx, row.id);
        return op;
      });
      d.notify();
      return op;
    },
  };
}

/** The volumes service. */
export type Volumes = ReturnType<typeof createVolumes>;
