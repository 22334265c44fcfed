import type { CloneSnapshot, CreateSnapshot, Operation, Page, ServerWithOperation, Snapshot, SnapshotSpec, SnapshotStatus, SnapshotWithOperation, StatusListQuery, UpdateSnapshot, VolumeWithOperation } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { inPhases, paginate } from '../../lib/paging.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, SnapshotsTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { type Operations, toOperation } from '../operations/service.ts';
import { busySnapshot, readSnapshotRow, toSnapshot } from './snapshot-record.ts';

const GB = 1024 ** 3;

/** A resource that can have snapshots, as the snapshots service needs to know it. */
export interface SnapshotOwnerRef {
  type: 'server' | 'volume';
  id: string;
  name: string;
  /** How many snapshots it may keep (its plan's limit for a server). */
  limit: number;
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
  /** Whether this host's storage can take snapshots, and its backend's name for the refusal. */
  storage: { backend: string; capabilities: { snapshots: boolean } };
  /** A server or volume of the caller's tenant; throws its NOT_FOUND for others'. */
  findOwner: (p: Principal, type: 'server' | 'volume', idOrName: string) => Promise<SnapshotOwnerRef>;
  /** A backup taking or restoring the disks of this server or volume (its server's), by id; null when none. */
  backupAtWork: (trx: Kysely<Database>, owner: SnapshotOwnerRef) => Promise<string | null>;
  /** Makes a new server from a snapshot of a server's root disk (the servers service, with a source). */
  createServerFrom: (p: Principal, name: string, source: { server: string; snapshot: string }, requestId: string) => Promise<ServerWithOperation>;
  /** Makes a new volume from a snapshot (the volumes service, with a source). */
  createVolumeFrom: (p: Principal, body: { name: string; sizeGb: number }, source: { snapshot: string; target: { type: 'server' | 'volume'; id: string } }, requestId: string) => Promise<VolumeWithOperation>;
  notify: () => void;
}

/** Snapshots of servers' root disks and of volumes: desired state with an operation and a queue entry per change. */
export function createSnapshots(d: Deps) {
  const { db, clock, ids } = d;

  async function findRow(trx: Kysely<Database>, p: Principal, owner: SnapshotOwnerRef, idOrName: string): Promise<SnapshotsTable> {
    const column = idOrName.startsWith('snp_') ? 'id' : 'name';
    const row = await trx.selectFrom('snapshots').selectAll().where(column, '=', idOrName).where('target_id', '=', owner.id).where('tenant_id', '=', p.tenantId).executeTakeFirst();
    if (!row) throw new DomainError('SNAPSHOT_NOT_FOUND', { id: idOrName, target: owner.name });
    return row;
  }

  /** Refuses a second change while one snapshot of the same resource is being taken, rolled back or deleted. */
  async function assertIdle(trx: Kysely<Database>, owner: SnapshotOwnerRef): Promise<void> {
    const rows = await trx.selectFrom('snapshots').selectAll().where('target_id', '=', owner.id).execute();
    const busy = rows.find(busySnapshot);
    if (busy) throw new DomainError('SNAPSHOT_BUSY', { target: owner.name, snapshot: busy.name });
  }

  function assertSupported(): void {
    if (!d.storage.capabilities.snapshots) throw new DomainError('SNAPSHOTS_UNSUPPORTED', { backend: d.storage.backend });
  }

  return {
    /** The owner's snapshots, oldest first; those whose labels match `label_selector` when one is given. */
    async list(p: Principal, type: 'server' | 'volume', ownerId: string, q: StatusListQuery): Promise<Page<Snapshot>> {
      const owner = await d.findOwner(p, type, ownerId);
      return paginate(db.selectFrom('snapshots').selectAll().where('tenant_id', '=', p.tenantId).where('target_id', '=', owner.id), 'id', q, toSnapshot, { sort: { name: 'name' }, labels: true, keep: inPhases(q.status) });
    },

    /** Changes a snapshot's description and/or replaces its labels: metadata, no operation. */
    async update(p: Principal, type: 'server' | 'volume', ownerId: string, idOrName: string, body: UpdateSnapshot, requestId: string): Promise<Snapshot> {
      if (body.labels) assertValidLabels(body.labels);
      const owner = await d.findOwner(p, type, ownerId);
      return db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, owner, idOrName);
        const next = { ...row, description: body.description ?? row.description, labels: body.labels ? JSON.stringify(body.labels) : row.labels, updated_at: clock() };
        await trx.updateTable('snapshots').set({ description: next.description, labels: next.labels, updated_at: next.updated_at }).where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'snapshot.update', targetType: 'snapshot', targetId: row.id, detail: body });
        return toSnapshot(next);
      });
    },

    /** One snapshot, by id or name. */
    async get(p: Principal, type: 'server' | 'volume', ownerId: string, idOrName: string): Promise<Snapshot> {
      return toSnapshot(await findRow(db, p, await d.findOwner(p, type, ownerId), idOrName));
    },

    /** Records a snapshot to take; refused beyond the owner's limit or while another change of its snapshots runs. */
    async create(p: Principal, type: 'server' | 'volume', ownerId: string, body: CreateSnapshot, requestId: string): Promise<SnapshotWithOperation> {
      assertSupported();
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const owner = await d.findOwner(p, type, ownerId);
      if (owner.deleting) throw new DomainError('CONFLICT', { reason: { en: `${owner.name} is being deleted`, de: `${owner.name} wird gerade gelöscht` } });
      const result = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `snapshots:${owner.id}`);
        if (await trx.selectFrom('snapshots').select('id').where('target_id', '=', owner.id).where('name', '=', body.name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: 'snapshot', name: body.name }, [{ field: 'name', message: { en: 'a snapshot of this name exists', de: 'ein Snapshot dieses Namens existiert' } }]);
        }
        await assertIdle(trx, owner);
        const count = (await trx.selectFrom('snapshots').select('id').where('target_id', '=', owner.id).where('deletion_requested_at', 'is', null).execute()).length;
        if (count >= owner.limit) throw new DomainError('SNAPSHOT_LIMIT', { target: owner.name, count, limit: owner.limit });
        const id = ids('snp');
        const now = clock();
        const spec: SnapshotSpec = { rollbacks: 0 };
        const status: SnapshotStatus = { phase: 'Pending', phaseSince: iso(now)!, observedGeneration: 0, conditions: [], rollbacksDone: 0, takenAt: null, sizeBytes: null, usedBytes: null };
        const row: SnapshotsTable = {
          id,
          tenant_id: p.tenantId,
          target_type: owner.type,
          target_id: owner.id,
          name: body.name,
          description: body.description ?? '',
          labels: JSON.stringify(labels),
          generation: 1,
          spec: JSON.stringify(spec),
          status: JSON.stringify(status),
          deletion_requested_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('snapshots').values(row).execute();
        const operation = await recordChange(trx, d, { principal: p, tenantId: p.tenantId, kind: 'snapshot.create', target: { type: 'snapshot', id }, generation: 1, requestId, detail: { name: body.name, of: owner.id } });
        return { snapshot: toSnapshot(row), operation };
      });
      d.notify();
      return result;
    },

    /** Asks for the owner to be put back to the snapshot; `confirm` must be the snapshot's name. */
    async rollback(p: Principal, type: 'server' | 'volume', ownerId: string, idOrName: string, confirm: string, requestId: string): Promise<Operation> {
      const owner = await d.findOwner(p, type, ownerId);
      const op = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `snapshots:${owner.id}`);
        const row = await findRow(trx, p, owner, idOrName);
        if (confirm !== row.name) {
          throw new DomainError('SNAPSHOT_CONFIRMATION', { name: row.name }, [{ field: 'confirm', message: { en: `type ${row.name}`, de: `geben Sie ${row.name} ein` } }]);
        }
        await assertIdle(trx, owner);
        // A rollback swaps the disk a running backup reads (or a restore writes): one waits for the other.
        const backup = await d.backupAtWork(trx, owner);
        if (backup) throw new DomainError('SNAPSHOT_BACKUP_RUNNING', { target: owner.name, backup });
        if (readSnapshotRow(row).status.phase !== 'Ready') throw new DomainError('SNAPSHOT_BUSY', { target: owner.name, snapshot: row.name });
        const { spec } = readSnapshotRow(row);
        const generation = row.generation + 1;
        await trx.updateTable('snapshots').set({ spec: JSON.stringify({ ...spec, rollbacks: spec.rollbacks + 1 }), generation, updated_at: clock() }).where('id', '=', row.id).execute();
        return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind: 'snapshot.rollback', target: { type: 'snapshot', id: row.id }, generation, requestId, detail: { name: row.name, of: owner.id } });
      });
      d.notify();
      return op;
    },

    /** Makes a new volume holding the snapshot's bytes. */
    async clone(p: Principal, type: 'server' | 'volume', ownerId: string, idOrName: string, body: CloneSnapshot, requestId: string): Promise<VolumeWithOperation> {
      const owner = await d.findOwner(p, type, ownerId);
      const row = await findRow(db, p, owner, idOrName);
      const { status } = readSnapshotRow(row);
      if (status.phase !== 'Ready' || status.sizeBytes === null) throw new DomainError('SNAPSHOT_BUSY', { target: owner.name, snapshot: row.name });
      return d.createVolumeFrom(p, { name: body.name, sizeGb: Math.ceil(status.sizeBytes / GB) }, { snapshot: row.id, target: { type: owner.type, id: owner.id } }, requestId);
    },

    /**
     * Makes a new server from a snapshot of a server's root disk: the same image and plan, the
     * snapshot's files, users and data, its own name, addresses and machine identity.
     */
    async cloneServer(p: Principal, ownerId: string, idOrName: string, body: CloneSnapshot, requestId: string): Promise<ServerWithOperation> {
      const owner = await d.findOwner(p, 'server', ownerId);
      const row = await findRow(db, p, owner, idOrName);
      if (readSnapshotRow(row).status.phase !== 'Ready') throw new DomainError('SNAPSHOT_BUSY', { target: owner.name, snapshot: row.name });
      return d.createServerFrom(p, body.name, { server: owner.id, snapshot: row.id }, requestId);
    },

    /** Asks for the snapshot to be removed; the row goes once the backend has let it go. */
    async delete(p: Principal, type: 'server' | 'volume', ownerId: string, idOrName: string, requestId: string): Promise<Operation> {
      const owner = await d.findOwner(p, type, ownerId);
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, owner, idOrName);
        const existing = await trx.selectFrom('operations').selectAll().where('target_id', '=', row.id).where('kind', '=', 'snapshot.delete').where('state', 'in', ['pending', 'running']).executeTakeFirst();
        if (existing) return toOperation(existing);
        const { status } = readSnapshotRow(row);
        if (status.phase === 'RollingBack' || readSnapshotRow(row).spec.rollbacks > status.rollbacksDone) throw new DomainError('SNAPSHOT_BUSY', { target: owner.name, snapshot: row.name });
        const generation = row.generation + 1;
        await trx.updateTable('snapshots').set({ generation, deletion_requested_at: clock(), updated_at: clock() }).where('id', '=', row.id).execute();
        return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind: 'snapshot.delete', target: { type: 'snapshot', id: row.id }, generation, requestId, detail: { name: row.name, of: owner.id } });
      });
      d.notify();
      return op;
    },

    /** Wakes the snapshots of a server or volume that is going, so their reconciler removes them. */
    async ownerGone(trx: Kysely<Database>, ownerId: string): Promise<void> {
      for (const { id } of await trx.selectFrom('snapshots').select('id').where('target_id', '=', ownerId).execute()) await d.queue.enqueue(trx, 'snapshot', id);
    },
  };
}

/** The snapshots service. */
export type Snapshots = ReturnType<typeof createSnapshots>;
