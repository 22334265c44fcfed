/** Table types of backups (migration 017), kept apart from schema.ts so that file stays small. */

/** Where backups are kept; `config` is JSON of path, host, port and user (no secrets). */
export interface BackupTargetsTable {
  id: string;
  name: string;
  kind: 'dir' | 'sftp';
  config: string;
  is_default: number;
  /** JSON of the last probe (BackupTargetHealth). */
  health: string;
  created_at: number;
  updated_at: number;
}

/** One backup of a server's disks; spec and status are JSON (see @kumulus/api Backup). */
export interface BackupsTable {
  id: string;
  tenant_id: string;
  server_id: string;
  /** The server's name when the backup was made: the server may be gone since. */
  server_name: string;
  target_id: string;
  schedule_id: string | null;
  mode: 'snapshot' | 'suspend' | 'stop';
  notes: string;
  protected: number;
  /** JSON object of labels. */
  labels: string;
  generation: number;
  spec: string;
  status: string;
  deletion_requested_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A schedule: one server or a label selector, a cron line, and a retention policy (JSON). */
export interface BackupSchedulesTable {
  id: string;
  tenant_id: string;
  name: string;
  server_id: string | null;
  selector: string | null;
  target_id: string;
  cron: string;
  /** IANA time zone the cron line and the retention's periods are read in. */
  time_zone: string;
  mode: 'snapshot' | 'suspend' | 'stop';
  retention: string;
  enabled: number;
  last_run_at: number | null;
  /** Set by "run now": the next pass runs the schedule whatever its cron line says. */
  run_requested_at: number | null;
  /** Since when it promises backups, once turned on again or given a new cron line; null: since created_at. */
  active_since: number | null;
  created_at: number;
  updated_at: number;
}

/** The backup tables. */
export interface BackupTables {
  backup_targets: BackupTargetsTable;
  backups: BackupsTable;
  backup_schedules: BackupSchedulesTable;
}
