/**
 * Wire schemas of snapshots: point-in-time copies of a server's root disk or of a volume,
 * taken consistently, listed with their size and time, rolled back behind a typed confirmation.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Condition, Name, Operation, ServerLabels, StatusListQuery } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const SnapshotPhase = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('Creating'),
  Type.Literal('Ready'),
  Type.Literal('RollingBack'),
  Type.Literal('Deleting'),
  Type.Literal('Failed'),
]);
export type SnapshotPhase = Static<typeof SnapshotPhase>;
export const SnapshotListQuery = StatusListQuery(SnapshotPhase, 'snapshots');

export const SnapshotTarget = Type.Object({
  type: Type.Union([Type.Literal('server'), Type.Literal('volume')]),
  id: Type.String({ description: 'srv_… or vol_… id' }),
});
export type SnapshotTarget = Static<typeof SnapshotTarget>;

export const SnapshotSpec = Type.Object({
  /** How many rollbacks were asked for; the reconciler does the ones it has not done yet. */
  rollbacks: Type.Integer({ minimum: 0 }),
});
export type SnapshotSpec = Static<typeof SnapshotSpec>;

export const SnapshotStatus = Type.Object({
  phase: SnapshotPhase,
  phaseSince: Type.Optional(Timestamp),
  observedGeneration: Type.Integer(),
  conditions: Type.Array(Condition),
  rollbacksDone: Type.Integer({ minimum: 0 }),
  /** When the copy was taken, as the backend reports it. */
  takenAt: Type.Union([Timestamp, Type.Null()]),
  /** The size of the disk it holds, in bytes. */
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  /** Space it really takes on the backend (allocated blocks), in bytes. */
  usedBytes: Type.Union([Type.Integer(), Type.Null()]),
});
export type SnapshotStatus = Static<typeof SnapshotStatus>;

export const Snapshot = Type.Object(
  {
    id: Type.String({ pattern: '^snp_[0-9a-z]{20,32}$', description: 'snp_… id' }),
    tenantId: Type.String(),
    name: Name,
    description: Type.String(),
    labels: ServerLabels,
    target: SnapshotTarget,
    generation: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    spec: SnapshotSpec,
    status: SnapshotStatus,
  },
  { $id: 'Snapshot' },
);
export type Snapshot = Static<typeof Snapshot>;

export const CreateSnapshot = Type.Object(
  { name: Name, description: Type.Optional(Type.String({ maxLength: 500 })), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false },
);
export type CreateSnapshot = Static<typeof CreateSnapshot>;

/** A new description and/or labels (replaced as a whole) of a snapshot. */
export const UpdateSnapshot = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 500 })), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSnapshot = Static<typeof UpdateSnapshot>;

export const RollbackSnapshot = Type.Object(
  { confirm: Type.String({ maxLength: 100, description: "the snapshot's name, typed out: a rollback discards everything written since" }) },
  { additionalProperties: false },
);
export type RollbackSnapshot = Static<typeof RollbackSnapshot>;

export const CloneSnapshot = Type.Object({ name: Name }, { additionalProperties: false, description: 'the new volume’s name' });
export type CloneSnapshot = Static<typeof CloneSnapshot>;

export const SnapshotWithOperation = Type.Object({ snapshot: Snapshot, operation: Operation });
export type SnapshotWithOperation = Static<typeof SnapshotWithOperation>;
