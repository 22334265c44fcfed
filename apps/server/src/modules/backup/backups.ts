import type { Backup, BackupListQuery, BackupWithOperation, CreateBackup, Operation, Page, RestoreBackup, ServerWithOperation, UpdateBackup } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { inPhases, paginate } from '../../lib/paging.ts';
import { recordChange } from '../../reconcile/changes.ts';
import type { Queue } from '../../reconcile/queue.ts';
import { lockFor } from '../../store/locks.ts';
import type { BackupsTable } from '../../store/schema-backups.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { type Operations, toOperation } from '../operations/service.ts';
import { busyBackup, initialStatus, readBackupRow, toBackup } from './backup-record.ts';
import type { BackupTargets } from './targets.ts';

/** A server as the backups service needs to know it. */
export interface BackupServerRef {
  id: string;
  name: string;
  tenantId: string;
  plan: string;
  image: string;
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
  targets: BackupTargets;
  /** Which modes the engine can back up in. */
  modes: { snapshot: boolean; suspend: boolean; stop: boolean };
  /** A server of the caller's tenant; throws SERVER_NOT_FOUND for others'. */
  findServer: (p: Principal, idOrName: string) => Promise<BackupServerRef>;
  /** Makes a server (the servers service), for a restore into a new one. */
  createServer: (p: Principal, body: { name: string; plan: string; image: string }, requestId: string) => Promise<ServerWithOperation>;
  notify: () => void;
}

/** Backups of servers: desired state with an operation and a queue entry per change, as snapshots are. */
export function createBackups(d: Deps) {
  const { db, clock, ids } = d;

  async function findRow(trx: Kysely<Database>, p: Principal, id: string): Promise<BackupsTable> {
    let q = trx.selectFrom('backups').selectAll().where('id', '=', id);
    if (p.role !== 'operator') q = q.where('tenant_id', '=', p.tenantId);
    const row = await q.executeTakeFirst();
    if (!row) throw new DomainError('BACKUP_NOT_FOUND', { id });
    return row;
  }

  return {
    /** The caller's backups (one server's when `server` is given, those whose labels match `label_selector`), oldest first. */
    async list(p: Principal, q: BackupListQuery): Promise<Page<Backup>> {
      let query = db.selectFrom('backups').selectAll().where('tenant_id', '=', p.tenantId);
      if (q.server) query = query.where('server_id', '=', (await d.findServer(p, q.server)).id);
      return paginate(query, 'id', q, toBackup, { sort: { server: 'server_name', mode: 'mode' }, labels: true, keep: inPhases(q.status) });
    },

    get: async (p: Principal, id: string): Promise<Backup> => toBackup(await findRow(db, p, id)),

    /** Records a backup to make of the server; `scheduleId` when a schedule asks for it. */
    async create(p: Principal, serverRef: string, body: CreateBackup, requestId: string, scheduleId: string | null = null): Promise<BackupWithOperation> {
      const mode = body.mode ?? 'snapshot';
      if (!d.modes[mode]) throw new DomainError('BACKUPS_UNSUPPORTED', { mode });
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      const server = await d.findServer(p, serverRef);
      if (server.deleting) throw new DomainError('CONFLICT', { reason: { en: `${server.name} is being deleted`, de: `${server.name} wird gerade gelöscht` } });
      const target = await d.targets.resolve(body.target);
      const result = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `backups:${server.id}`);
        const running = (await trx.selectFrom('backups').selectAll().where('server_id', '=', server.id).execute()).find((r) => readBackupRow(r).status.phase === 'Pending' || readBackupRow(r).status.phase === 'Running');
        if (running) throw new DomainError('BACKUP_BUSY', { id: running.id });
        const now = clock();
        const row: BackupsTable = {
          id: ids('bkp'),
          tenant_id: server.tenantId,
          server_id: server.id,
          server_name: server.name,
          target_id: target.id,
          schedule_id: scheduleId,
          mode,
          notes: body.notes ?? '',
          protected: body.protected ? 1 : 0,
          labels: JSON.stringify(labels),
          generation: 1,
          spec: JSON.stringify({ restores: [], source: { plan: server.plan, image: server.image } }),
          status: JSON.stringify(initialStatus()),
          deletion_requested_at: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('backups').values(row).execute();
        const operation = await recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind: 'backup.create', target: { type: 'backup', id: row.id }, generation: 1, requestId, detail: { server: server.id, mode, target: target.id } });
        return { backup: toBackup(row), operation };
      });
      d.notify();
      return result;
    },

    /** Changes the notes, the protection or the labels (replaced as a whole). */
    async update(p: Principal, id: string, body: UpdateBackup, requestId: string): Promise<Backup> {
      if (body.labels) assertValidLabels(body.labels);
      const row = await findRow(db, p, id);
      const labels = body.labels ? JSON.stringify(body.labels) : row.labels;
      const next = { ...row, notes: body.notes ?? row.notes, protected: body.protected === undefined ? row.protected : body.protected ? 1 : 0, labels, updated_at: clock() };
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('backups').set({ notes: next.notes, protected: next.protected, labels, updated_at: next.updated_at }).where('id', '=', id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup.update', targetType: 'backup', targetId: id, detail: body });
      });
      return toBackup(next);
    },

    /**
     * Asks for the backup's disks to be written back: into its own server (behind its name typed
     * out as `confirm`) or into a new server made from the same plan and image.
     */
    async restore(p: Principal, id: string, body: RestoreBackup, requestId: string): Promise<{ operation: Operation; server: { id: string; name: string } }> {
      const row = await findRow(db, p, id);
      const { status } = readBackupRow(row);
      if (status.takenAt === null || busyBackup(row)) throw new DomainError('BACKUP_BUSY', { id });
      let serverId = row.server_id;
      let serverName = row.server_name;
      if (body.into === 'same') {
        const server = await d.findServer(p, row.server_id);
        if (body.confirm !== server.name) throw new DomainError('BACKUP_CONFIRMATION', { name: server.name }, [{ field: 'confirm', message: { en: `type ${server.name}`, de: `geben Sie ${server.name} ein` } }]);
      } else {
        // The plan and image it was backed up with: the root disk holds what differs from that image.
        const source = readBackupRow(row).spec.source ?? (await d.findServer(p, row.server_id).catch(() => null));
        const made = await d.createServer(p, { name: body.name ?? `${row.server_name}-restored`, plan: source?.plan ?? 'nano', image: source?.image ?? 'tiny' }, requestId);
        serverId = made.server.id;
        serverName = made.server.name;
      }
      const op = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `backups:${row.server_id}`);
        const fresh = await findRow(trx, p, id);
        const { spec } = readBackupRow(fresh);
        const generation = fresh.generation + 1;
        const operation = await recordChange(trx, d, { principal: p, tenantId: fresh.tenant_id, kind: 'backup.restore', target: { type: 'backup', id }, generation, requestId, detail: { into: body.into, server: serverId } });
        const restores = [...spec.restores, { into: body.into, serverId, operationId: operation.id }];
        await trx.updateTable('backups').set({ spec: JSON.stringify({ ...spec, restores }), generation, updated_at: clock() }).where('id', '=', id).execute();
        return operation;
      });
      d.notify();
      return { operation: op, server: { id: serverId, name: serverName } };
    },

    /** Asks for the backup to be verified again: restored into a throwaway server, booted and checked. */
    async verify(p: Principal, id: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `backups:${id}`);
        const row = await findRow(trx, p, id);
        const { spec, status } = readBackupRow(row);
        if (status.takenAt === null || busyBackup(row)) throw new DomainError('BACKUP_BUSY', { id });
        const generation = row.generation + 1;
        const next = { ...spec, verifyRequests: (spec.verifyRequests ?? 0) + 1 };
        await trx.updateTable('backups').set({ spec: JSON.stringify(next), generation, updated_at: clock() }).where('id', '=', id).execute();
        return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind: 'backup.verify', target: { type: 'backup', id }, generation, requestId, detail: { server: row.server_id } });
      });
      d.notify();
      return op;
    },

    /** Asks for the backup to be removed from its target; a protected one is refused. */
    async delete(p: Principal, id: string, requestId: string): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, id);
        const existing = await trx.selectFrom('operations').selectAll().where('target_id', '=', id).where('kind', '=', 'backup.delete').where('state', 'in', ['pending', 'running']).executeTakeFirst();
        if (existing) return toOperation(existing);
        if (row.protected === 1) throw new DomainError('BACKUP_PROTECTED', { id });
        const { spec, status } = readBackupRow(row);
        if (status.phase === 'Restoring' || spec.restores.length > status.restoresDone) throw new DomainError('BACKUP_BUSY', { id });
        const generation = row.generation + 1;
        await trx.updateTable('backups').set({ generation, deletion_requested_at: clock(), updated_at: clock() }).where('id', '=', id).execute();
        return recordChange(trx, d, { principal: p, tenantId: row.tenant_id, kind: 'backup.delete', target: { type: 'backup', id }, generation, requestId, detail: { server: row.server_id } });
      });
      d.notify();
      return op;
    },
  };
}

/** The backups service. */
export type Backups = ReturnType<typeof createBackups>;
