import { BackupSchedule, CreateBackupSchedule, ListQuery, OverdueBackup, OverdueQuery, Page, PreviewSchedule, PruneSimulation, SchedulePreview, SimulatePrune, UpdateBackupSchedule } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { OverdueReport } from './overdue.ts';
import type { Schedules } from './schedules.ts';

/** The routes of backup schedules, their preview, the prune simulator and the overdue report. */
export function scheduleRoutes(schedules: Schedules, overdue: OverdueReport): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/backups/overdue',
      summary: 'Operators: the servers whose latest verified-good backup is older than their schedule promises',
      tag: 'backups',
      query: OverdueQuery,
      errors: ['FORBIDDEN'],
      responses: { 200: Type.Object({ items: Type.Array(OverdueBackup) }) },
      handler: (req, _r, p) => overdue.list(p, req.query as OverdueQuery),
    },
    { method: 'GET', url: '/backup-schedules', summary: 'List your backup schedules with their next runs', tag: 'backups', query: ListQuery, responses: { 200: Page(BackupSchedule) }, handler: (req, _r, p) => schedules.list(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/backup-schedules',
      summary: 'Schedule backups of a server or of the servers a label selector matches, pruned by a retention policy',
      tag: 'backups',
      body: CreateBackupSchedule,
      errors: ['SERVER_NOT_FOUND', 'SCHEDULE_INVALID', 'RETENTION_INVALID', 'LABEL_SELECTOR_INVALID', 'BACKUP_TARGET_NOT_FOUND', 'BACKUP_TARGET_REQUIRED', 'NAME_TAKEN'],
      responses: { 201: BackupSchedule },
      handler: async (req, reply, p) => reply.status(201).send(await schedules.create(p, req.body as CreateBackupSchedule, req.id)),
    },
    {
      method: 'POST',
      url: '/backup-schedules/preview',
      summary: 'The next runs of a cron line in a time zone',
      tag: 'backups',
      body: PreviewSchedule,
      errors: ['SCHEDULE_INVALID'],
      responses: { 200: SchedulePreview },
      handler: async (req) => schedules.preview(req.body as PreviewSchedule),
    },
    {
      method: 'POST',
      url: '/backup-schedules/prune-simulator',
      summary: 'Which backups a retention policy keeps (of the backups given, or of a server’s), as Proxmox Backup Server prunes',
      tag: 'backups',
      body: SimulatePrune,
      errors: ['RETENTION_INVALID', 'SERVER_NOT_FOUND'],
      responses: { 200: PruneSimulation },
      handler: (req, _r, p) => schedules.simulate(p, req.body as SimulatePrune),
    },
    { method: 'GET', url: '/backup-schedules/:id', summary: 'Show a backup schedule', tag: 'backups', params: IdParam, errors: ['BACKUP_SCHEDULE_NOT_FOUND'], responses: { 200: BackupSchedule }, handler: (req, _r, p) => schedules.get(p, idOf(req)) },
    {
      method: 'POST',
      url: '/backup-schedules/:id/actions/run',
      summary: 'Run a schedule now: its backups, then its pruning',
      tag: 'backups',
      params: IdParam,
      errors: ['BACKUP_SCHEDULE_NOT_FOUND'],
      responses: { 202: BackupSchedule },
      handler: async (req, reply, p) => reply.status(202).send(await schedules.runNow(p, idOf(req))),
    },
    {
      method: 'PATCH',
      url: '/backup-schedules/:id',
      summary: 'Change a backup schedule: name, cron line, time zone, mode, target, retention, or turn it off and on',
      tag: 'backups',
      params: IdParam,
      body: UpdateBackupSchedule,
      errors: ['BACKUP_SCHEDULE_NOT_FOUND', 'SCHEDULE_INVALID', 'RETENTION_INVALID', 'BACKUP_TARGET_NOT_FOUND', 'NAME_TAKEN'],
      responses: { 200: BackupSchedule },
      handler: (req, _r, p) => schedules.update(p, idOf(req), req.body as UpdateBackupSchedule, req.id),
    },
    {
      method: 'DELETE',
      url: '/backup-schedules/:id',
      summary: 'Delete a backup schedule (its backups stay)',
      tag: 'backups',
      params: IdParam,
      errors: ['BACKUP_SCHEDULE_NOT_FOUND'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await schedules.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
  ];
}
