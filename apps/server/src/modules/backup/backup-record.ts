import type { Backup } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { BackupsTable } from '../../store/schema-backups.ts';

/** The desired state of a backup: the restores asked for, in order. */
export type BackupSpec = Backup['spec'];
/** The observed state of a backup, plus each disk's checksum (kept for verification, not shown). */
export type BackupStatus = Backup['status'];

/** Decodes a backups row. */
export function readBackupRow(row: BackupsTable): { spec: BackupSpec; status: BackupStatus } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) };
}

/** Whether the backup is being made, restored or deleted (one such change at a time). */
export function busyBackup(row: BackupsTable): boolean {
  const { spec, status } = readBackupRow(row);
  return row.deletion_requested_at !== null || ['Pending', 'Running', 'Verifying', 'Restoring'].includes(status.phase) || spec.restores.length > status.restoresDone;
}

/** Whether the backup is reading its server's disks (being taken) or writing them (a restore asked for or under way). */
export function touchesDisks(row: BackupsTable): boolean {
  const { spec, status } = readBackupRow(row);
  return ['Pending', 'Running', 'Restoring'].includes(status.phase) || spec.restores.length > status.restoresDone;
}

/** Whether the backup is complete and its last verification found it good. */
export function goodBackup(row: BackupsTable): boolean {
  const { status } = readBackupRow(row);
  return status.takenAt !== null && status.verification.state === 'good';
}

/** The API's view of a backups row. */
export function toBackup(row: BackupsTable): Backup {
  const { spec, status } = readBackupRow(row);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    server: { id: row.server_id, name: row.server_name },
    targetId: row.target_id,
    scheduleId: row.schedule_id,
    mode: row.mode,
    notes: row.notes,
    protected: row.protected === 1,
    labels: JSON.parse(row.labels || '{}'),
    createdAt: iso(row.created_at)!,
    spec,
    status,
  };
}

/** The status of a backup not made yet. */
export function initialStatus(): BackupStatus {
  return { phase: 'Pending', message: 'waiting to start', takenAt: null, sizeBytes: null, dedupBytes: null, disks: [], restoresDone: 0, verification: { state: 'pending', checkedAt: null, durationMs: null, detail: '' } };
}
