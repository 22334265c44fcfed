/**
 * Typed calls for backup targets and backups, over a KumulusClient; a module of its own so the
 * client's main file does not grow with every domain.
 */
import type { KumulusClient } from './client.ts';
import type { ListQuery, Operation, Page } from './schemas.ts';
import type { Backup, BackupListQuery, BackupTarget, BackupWithOperation, CreateBackup, CreateBackupTarget, RestoreBackup, RestoreStarted, UpdateBackup } from './schemas/backups.ts';
import type { BackupSchedule, CreateBackupSchedule, OverdueBackup, OverdueQuery, PreviewSchedule, PruneSimulation, SchedulePreview, SimulatePrune, UpdateBackupSchedule } from './schemas/backup-schedules.ts';

const at = (id: string) => encodeURIComponent(id);

/** The backup calls of the API, bound to one client. */
export function backupApi(c: KumulusClient) {
  return {
    listTargets: () => c.request<BackupTarget[]>('GET', '/backup-targets'),
    getTarget: (id: string) => c.request<BackupTarget>('GET', `/backup-targets/${at(id)}`),
    createTarget: (body: CreateBackupTarget) => c.request<BackupTarget>('POST', '/backup-targets', body),
    probeTarget: (id: string) => c.request<BackupTarget>('POST', `/backup-targets/${at(id)}/actions/probe`, {}),
    deleteTarget: (id: string) => c.request<void>('DELETE', `/backup-targets/${at(id)}`),
    create: (server: string, body: CreateBackup = {}) => c.request<BackupWithOperation>('POST', `/servers/${at(server)}/backups`, body),
    list: (q: BackupListQuery = {}) => c.request<Page<Backup>>('GET', '/backups', undefined, q),
    get: (id: string) => c.request<Backup>('GET', `/backups/${at(id)}`),
    update: (id: string, body: UpdateBackup) => c.request<Backup>('PATCH', `/backups/${at(id)}`, body),
    restore: (id: string, body: RestoreBackup) => c.request<RestoreStarted>('POST', `/backups/${at(id)}/actions/restore`, body),
    verify: (id: string) => c.request<Operation>('POST', `/backups/${at(id)}/actions/verify`, {}),
    delete: (id: string) => c.request<Operation>('DELETE', `/backups/${at(id)}`),
    /** Operators: servers whose latest verified-good backup is older than their schedule promises. */
    overdue: (q: OverdueQuery = {}) => c.request<{ items: OverdueBackup[] }>('GET', '/backups/overdue', undefined, q),
    listSchedules: (q: ListQuery = {}) => c.request<Page<BackupSchedule>>('GET', '/backup-schedules', undefined, q),
    getSchedule: (id: string) => c.request<BackupSchedule>('GET', `/backup-schedules/${at(id)}`),
    createSchedule: (body: CreateBackupSchedule) => c.request<BackupSchedule>('POST', '/backup-schedules', body),
    updateSchedule: (id: string, body: UpdateBackupSchedule) => c.request<BackupSchedule>('PATCH', `/backup-schedules/${at(id)}`, body),
    runSchedule: (id: string) => c.request<BackupSchedule>('POST', `/backup-schedules/${at(id)}/actions/run`, {}),
    deleteSchedule: (id: string) => c.request<void>('DELETE', `/backup-schedules/${at(id)}`),
    previewSchedule: (body: PreviewSchedule) => c.request<SchedulePreview>('POST', '/backup-schedules/preview', body),
    simulatePrune: (body: SimulatePrune) => c.request<PruneSimulation>('POST', '/backup-schedules/prune-simulator', body),
  };
}

/** The backup calls bound to a client. */
export type BackupApi = ReturnType<typeof backupApi>;
