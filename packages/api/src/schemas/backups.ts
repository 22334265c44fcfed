/**
 * Wire schemas of backups: targets (where backups are kept), backups of a server's disks
 * (deduplicated, encrypted, verified by reading them back), their restores, and schedules with
 * a retention policy pruned as Proxmox Backup Server prunes.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Name, Operation, ServerLabels, StatusListQuery } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const BackupTargetKind = Type.Union([Type.Literal('dir'), Type.Literal('sftp')]);
export type BackupTargetKind = Static<typeof BackupTargetKind>;

export const BackupTargetHealth = Type.Object({
  reachable: Type.Boolean(),
  totalBytes: Nullable(Type.Integer()),
  freeBytes: Nullable(Type.Integer()),
  error: Type.Optional(Type.String()),
  checkedAt: Type.Union([Timestamp, Type.Null()]),
});
export type BackupTargetHealth = Static<typeof BackupTargetHealth>;

export const BackupTarget = Type.Object(
  {
    id: Type.String({ description: 'bkt_… id' }),
    name: Name,
    kind: BackupTargetKind,
    path: Type.String(),
    host: Type.Union([Type.String(), Type.Null()]),
    port: Nullable(Type.Integer()),
    user: Type.Union([Type.String(), Type.Null()]),
    /** Backups without a target named go here. */
    default: Type.Boolean(),
    health: BackupTargetHealth,
    createdAt: Timestamp,
  },
  { $id: 'BackupTarget' },
);
export type BackupTarget = Static<typeof BackupTarget>;

const AbsolutePath = Type.String({ minLength: 2, maxLength: 200, pattern: '^/[A-Za-z0-9._/-]+$', description: 'absolute path, no spaces' });

export const CreateBackupTarget = Type.Object(
  {
    name: Name,
    kind: BackupTargetKind,
    path: AbsolutePath,
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_][a-z0-9_-]*$' })),
    privateKey: Type.Optional(Type.String({ minLength: 20, maxLength: 16_384, description: 'OpenSSH private key the control plane logs in with (kept in a file, never returned)' })),
    hostKey: Type.Optional(Type.String({ minLength: 20, maxLength: 16_384, pattern: '^(ssh|ecdsa)-[^\\n]+$', description: "the remote host's public key, pinned" })),
    default: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateBackupTarget = Static<typeof CreateBackupTarget>;

export const BackupMode = Type.Union([Type.Literal('snapshot'), Type.Literal('suspend'), Type.Literal('stop')], {
  description: 'snapshot: consistent via a storage snapshot of each disk, the guest keeps running; suspend: the guest is frozen while all its disks are copied at one instant; stop: the guest is stopped for the copy',
});
export type BackupMode = Static<typeof BackupMode>;

export const BackupVerification = Type.Object({
  state: Type.Union([Type.Literal('pending'), Type.Literal('good'), Type.Literal('bad')]),
  checkedAt: Type.Union([Timestamp, Type.Null()]),
  durationMs: Nullable(Type.Integer()),
  detail: Type.String({ description: 'what was checked (read back against the checksums, restored and booted in a throwaway server without network) and, when bad, why' }),
  /** Whether the backup was restored into a throwaway server that was started and whose init answered. */
  booted: Type.Optional(Type.Boolean()),
});
export type BackupVerification = Static<typeof BackupVerification>;

export const BackupPhase = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('Running'),
  Type.Literal('Verifying'),
  Type.Literal('Ready'),
  Type.Literal('Restoring'),
  Type.Literal('Deleting'),
  Type.Literal('Failed'),
]);
export type BackupPhase = Static<typeof BackupPhase>;

/** One restore asked for: into the backed-up server itself or into a new one. */
export const BackupRestore = Type.Object({
  into: Type.Union([Type.Literal('same'), Type.Literal('new')]),
  /** The server the disks go to (the new one's id once it is made). */
  serverId: Type.String(),
  operationId: Type.String(),
});
export type BackupRestore = Static<typeof BackupRestore>;

export const Backup = Type.Object(
  {
    id: Type.String({ description: 'bkp_… id' }),
    tenantId: Type.String(),
    server: Type.Object({ id: Type.String(), name: Type.String() }),
    targetId: Type.String(),
    scheduleId: Type.Union([Type.String(), Type.Null()]),
    mode: BackupMode,
    notes: Type.String(),
    protected: Type.Boolean({ description: 'pruning never removes a protected backup, and it cannot be deleted until lifted' }),
    labels: ServerLabels,
    createdAt: Timestamp,
    spec: Type.Object({
      restores: Type.Array(BackupRestore),
      /** The plan and image of the server when it was backed up: a restore as a new server and the throwaway of a verification are made from them. */
      source: Type.Optional(Type.Object({ plan: Type.String(), image: Type.String() })),
      /** Verifications asked for again (re-verify), counted. */
      verifyRequests: Type.Optional(Type.Integer()),
    }),
    status: Type.Object({
      phase: BackupPhase,
      message: Type.String(),
      takenAt: Type.Union([Timestamp, Type.Null()]),
      /** Bytes of the disks it holds. */
      sizeBytes: Nullable(Type.Integer()),
      /** Bytes it added to the repository after deduplication. */
      dedupBytes: Nullable(Type.Integer()),
      disks: Type.Array(Type.Object({ name: Type.String(), sizeBytes: Type.Integer() })),
      restoresDone: Type.Integer(),
      /** Re-verifications done of those asked for (spec.verifyRequests). */
      verifiesDone: Type.Optional(Type.Integer()),
      verification: BackupVerification,
    }),
  },
  { $id: 'Backup' },
);
export type Backup = Static<typeof Backup>;

export const CreateBackup = Type.Object(
  {
    mode: Type.Optional(BackupMode),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'target id or name; the default target when left out' })),
    notes: Type.Optional(Type.String({ maxLength: 1000 })),
    protected: Type.Optional(Type.Boolean()),
    labels: Type.Optional(ServerLabels),
  },
  { additionalProperties: false },
);
export type CreateBackup = Static<typeof CreateBackup>;

/** New notes, protection and/or labels (replaced as a whole) of a backup. */
export const UpdateBackup = Type.Object(
  { notes: Type.Optional(Type.String({ maxLength: 1000 })), protected: Type.Optional(Type.Boolean()), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false },
);
export type UpdateBackup = Static<typeof UpdateBackup>;

export const RestoreBackup = Type.Object(
  {
    into: Type.Union([Type.Literal('same'), Type.Literal('new')]),
    confirm: Type.Optional(Type.String({ maxLength: 100, description: "into the same server: its name, typed out (everything written since the backup is lost)" })),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type RestoreBackup = Static<typeof RestoreBackup>;

export const BackupWithOperation = Type.Object({ backup: Backup, operation: Operation });
export type BackupWithOperation = Static<typeof BackupWithOperation>;

export const RestoreStarted = Type.Object({ operation: Operation, server: Type.Object({ id: Type.String(), name: Type.String() }, { description: 'the server the backup is restored into' }) });
export type RestoreStarted = Static<typeof RestoreStarted>;

/** The list query of backups: a labelled list, optionally of one server's backups. */
export const BackupListQuery = Type.Composite([
  StatusListQuery(BackupPhase, 'backups'),
  Type.Object({ server: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'only the backups of this server (id or name)' })) }),
]);
export type BackupListQuery = Static<typeof BackupListQuery>;
