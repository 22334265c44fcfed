import type { BackupSchedule, CreateBackupSchedule, ListQuery, Page, PruneSimulation, SimulatePrune, UpdateBackupSchedule } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { selectorFromRequest } from '../../lib/label-selector.ts';
import { paginate } from '../../lib/paging.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { BackupSchedulesTable } from '../../store/schema-backups.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { readBackupRow } from './backup-record.ts';
import type { BackupServerRef } from './backups.ts';
import { nextRuns } from './cron.ts';
import { keepsSomething, prune, type Retention } from './prune.ts';
import type { BackupTargets } from './targets.ts';

/** The queue kind of schedule passes. */
export const SCHEDULE_KIND = 'backup-schedule';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  queue: Queue;
  targets: BackupTargets;
  findServer: (p: Principal, idOrName: string) => Promise<BackupServerRef>;
  notify: () => void;
}

/** The API's view of a schedule row, with its next five runs. */
export function toSchedule(row: BackupSchedulesTable, now: number): BackupSchedule {
  let runs: string[] = [];
  try {
    runs = nextRuns(row.cron, row.time_zone, 5, new Date(now)).map((d) => d.toISOString());
  } catch {
    runs = [];
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    server: row.server_id,
    selector: row.selector,
    targetId: row.target_id,
    cron: row.cron,
    timeZone: row.time_zone,
    mode: row.mode,
    retention: JSON.parse(row.retention),
    enabled: row.enabled === 1,
    lastRunAt: iso(row.last_run_at),
    nextRuns: row.enabled === 1 ? runs : [],
    createdAt: iso(row.created_at)!,
  };
}

/** Refuses a policy that keeps nothing (PBS would keep everything; a schedule that prunes nothing is a mistake here). */
export function assertRetention(r: Retention): void {
  if (!keepsSomething(r)) throw new DomainError('RETENTION_INVALID', {}, [{ field: 'retention', message: { en: 'keeps nothing', de: 'behält nichts' } }]);
}

/** Backup schedules of a tenant: made, listed, previewed, simulated; their passes are the schedule reconciler's. */
export function createSchedules(d: Deps) {
  const { db, clock } = d;

  async function find(p: Principal, idOrName: string): Promise<BackupSchedulesTable> {
    const row = await db.selectFrom('backup_schedules').selectAll().where('tenant_id', '=', p.tenantId).where(idOrName.startsWith('bks_') ? 'id' : 'name', '=', idOrName).executeTakeFirst();
    if (!row) throw new DomainError('BACKUP_SCHEDULE_NOT_FOUND', { id: idOrName });
    return row;
  }

  return {
    find,
    list: (p: Principal, q: ListQuery): Promise<Page<BackupSchedule>> => paginate(db.selectFrom('backup_schedules').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, (r) => toSchedule(r, clock())),
    get: async (p: Principal, idOrName: string) => toSchedule(await find(p, idOrName), clock()),

    /** Makes a schedule for one server or for the servers a label selector matches. */
    async create(p: Principal, body: CreateBackupSchedule, requestId: string): Promise<BackupSchedule> {
      if (!body.server === !body.selector) {
        throw new DomainError('VALIDATION_FAILED', { summary: 'name exactly one of server and selector' }, [{ field: 'server', message: { en: 'name a server or a selector, not both', de: 'nennen Sie einen Server oder einen Selektor, nicht beides' } }]);
      }
      if (body.selector) selectorFromRequest(body.selector, 'selector');
      const timeZone = body.timeZone ?? 'UTC';
      nextRuns(body.cron, timeZone, 1, new Date(clock()));
      assertRetention(body.retention);
      const server = body.server ? await d.findServer(p, body.server) : null;
      const target = await d.targets.resolve(body.target);
      if (await db.selectFrom('backup_schedules').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst()) throw new DomainError('NAME_TAKEN', { kind: 'backup schedule', name: body.name });
      const now = clock();
      const row: BackupSchedulesTable = {
        id: d.ids('bks'),
        tenant_id: p.tenantId,
        name: body.name,
        server_id: server?.id ?? null,
        selector: body.selector ?? null,
        target_id: target.id,
        cron: body.cron.trim(),
        time_zone: timeZone,
        mode: body.mode ?? 'snapshot',
        retention: JSON.stringify(body.retention),
        enabled: body.enabled === false ? 0 : 1,
        last_run_at: null,
        run_requested_at: null,
        active_since: null,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('backup_schedules').values(row).execute();
        await d.queue.enqueue(trx, SCHEDULE_KIND, row.id);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup-schedule.create', targetType: 'backup-schedule', targetId: row.id, detail: { name: row.name, cron: row.cron } });
      });
      d.notify();
      return toSchedule(row, now);
    },

    /**
     * Changes a schedule: name, cron line, time zone, mode, target, retention, on or off. Turned on
     * again or given a new line, it counts its runs from now: no catch-up of the runs it missed.
     */
    async update(p: Principal, idOrName: string, body: UpdateBackupSchedule, requestId: string): Promise<BackupSchedule> {
      const row = await find(p, idOrName);
      const cron = body.cron?.trim() ?? row.cron;
      const timeZone = body.timeZone ?? row.time_zone;
      if (body.cron !== undefined || body.timeZone !== undefined) nextRuns(cron, timeZone, 1, new Date(clock()));
      if (body.retention) assertRetention(body.retention);
      const target = body.target ? await d.targets.resolve(body.target) : null;
      if (body.name !== undefined && body.name !== row.name && (await db.selectFrom('backup_schedules').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', body.name).executeTakeFirst())) {
        throw new DomainError('NAME_TAKEN', { kind: 'backup schedule', name: body.name });
      }
      const now = clock();
      const restart = (row.enabled === 0 && body.enabled === true) || cron !== row.cron || timeZone !== row.time_zone;
      const next: BackupSchedulesTable = {
        ...row,
        name: body.name ?? row.name,
        cron,
        time_zone: timeZone,
        mode: body.mode ?? row.mode,
        target_id: target?.id ?? row.target_id,
        retention: body.retention ? JSON.stringify(body.retention) : row.retention,
        enabled: body.enabled === undefined ? row.enabled : body.enabled ? 1 : 0,
        ...(restart ? { last_run_at: now, active_since: now } : {}),
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        const { id: _id, tenant_id: _t, created_at: _c, ...changes } = next;
        await trx.updateTable('backup_schedules').set(changes).where('id', '=', row.id).execute();
        await d.queue.enqueue(trx, SCHEDULE_KIND, row.id);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup-schedule.update', targetType: 'backup-schedule', targetId: row.id, detail: { ...body } });
      });
      d.notify();
      return toSchedule(next, now);
    },

    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      const row = await find(p, idOrName);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('backup_schedules').where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup-schedule.delete', targetType: 'backup-schedule', targetId: row.id, detail: { name: row.name } });
      });
    },

    /** Runs the schedule now (its backups, then its pruning), as if it were due. */
    async runNow(p: Principal, idOrName: string): Promise<BackupSchedule> {
      const row = await find(p, idOrName);
      await db.updateTable('backup_schedules').set({ run_requested_at: clock() }).where('id', '=', row.id).execute();
      await d.queue.enqueue(db, SCHEDULE_KIND, row.id);
      d.notify();
      return toSchedule(row, clock());
    },

    /** The next runs of a cron line. */
    preview: (body: { cron: string; timeZone?: string; count?: number }) => ({ nextRuns: nextRuns(body.cron, body.timeZone ?? 'UTC', body.count ?? 10, new Date(clock())).map((x) => x.toISOString()) }),

    /** What a retention policy would keep of the backups given, or of a server's real ones. */
    async simulate(p: Principal, body: SimulatePrune): Promise<PruneSimulation> {
      assertRetention(body.retention);
      let items: { id: string; time: number; protected: boolean }[];
      if (body.backups) {
        items = body.backups.map((b, n) => ({ id: b.id ?? `#${n + 1}`, time: Date.parse(b.time), protected: b.protected ?? false }));
      } else {
        if (!body.server) throw new DomainError('VALIDATION_FAILED', { summary: 'name backups or a server' }, [{ field: 'backups', message: { en: 'give backups or a server', de: 'geben Sie Backups oder einen Server an' } }]);
        const server = await d.findServer(p, body.server);
        const rows = await db.selectFrom('backups').selectAll().where('server_id', '=', server.id).where('tenant_id', '=', p.tenantId).where('deletion_requested_at', 'is', null).execute();
        items = rows.flatMap((r) => {
          const { status } = readBackupRow(r);
          return status.takenAt ? [{ id: r.id, time: Date.parse(status.takenAt), protected: r.protected === 1 }] : [];
        });
      }
      return { decisions: prune(items, body.retention, body.timeZone ?? 'UTC').map((x) => ({ ...x, time: iso(x.time)! })) };
    },
  };
}

/** The schedules service. */
export type Schedules = ReturnType<typeof createSchedules>;
