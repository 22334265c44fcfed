/**
 * Wire schemas of block volumes: sized to the GB, formatted ext4 or xfs, attached to one
 * server at a time as a mounted filesystem.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Condition, IoLimits, Name, NameOrId, Operation, StatusListQuery } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });
const VolumeId = Type.String({ pattern: '^vol_[0-9a-z]{20,32}$', description: 'vol_… id' });

/** Largest volume one request may ask for, in GB. */
export const MAX_VOLUME_GB = 16_384;
/** The pattern of a path a volume is mounted at inside a server (kept in step with the local engine). */
export const MOUNT_PATH_PATTERN = '^(/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){1,8}$';

export const VolumeFormat = Type.Union([Type.Literal('ext4'), Type.Literal('xfs')]);
export type VolumeFormat = Static<typeof VolumeFormat>;

/** Free-form labels: short keys and values for the tenant's own sorting and automation. */
export const Labels = Type.Record(Type.String({ pattern: '^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$' }), Type.String({ maxLength: 63 }), {
  maxProperties: 32,
  description: 'up to 32 key/value pairs',
});
export type Labels = Static<typeof Labels>;

export const MountPath = Type.String({ minLength: 2, maxLength: 256, pattern: MOUNT_PATH_PATTERN, description: 'absolute path inside the server, e.g. /mnt/data' });

export const VolumeAttachment = Type.Object({ server: Type.String({ description: 'srv_… id' }), path: MountPath });
export type VolumeAttachment = Static<typeof VolumeAttachment>;

export const VolumePhase = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('Creating'),
  Type.Literal('Available'),
  Type.Literal('Attached'),
  Type.Literal('Deleting'),
  Type.Literal('Failed'),
]);
export type VolumePhase = Static<typeof VolumePhase>;
export const VolumeListQuery = StatusListQuery(VolumePhase, 'volumes');

/** Limits the kernel enforces on the volume's device for the server it is attached to; absent is unlimited. */
export const VolumeQos = IoLimits;
export type VolumeQos = Static<typeof VolumeQos>;

export const VolumeSpec = Type.Object({
  sizeGb: Type.Integer({ minimum: 1 }),
  qos: Type.Optional(VolumeQos),
  format: VolumeFormat,
  attachment: Type.Union([VolumeAttachment, Type.Null()], { description: 'where the volume should be mounted; null when detached' }),
  /** The snapshot the volume was cloned from, when it was. */
  source: Type.Optional(
    Type.Object({ snapshot: Type.String({ description: 'snp_… id' }), target: Type.Object({ type: Type.Union([Type.Literal('server'), Type.Literal('volume')]), id: Type.String() }) }),
  ),
});
export type VolumeSpec = Static<typeof VolumeSpec>;

export const VolumeStatus = Type.Object({
  phase: VolumePhase,
  phaseSince: Type.Optional(Timestamp),
  observedGeneration: Type.Integer(),
  conditions: Type.Array(Condition),
  /** Where it is mounted now, as the engine sees it. */
  attachment: Type.Union([VolumeAttachment, Type.Null()]),
  node: Type.Union([Type.String(), Type.Null()]),
  /** Space the volume really takes on the backend, in bytes (less than its size when thin). */
  usedBytes: Type.Union([Type.Integer(), Type.Null()]),
});
export type VolumeStatus = Static<typeof VolumeStatus>;

export const Volume = Type.Object(
  {
    id: VolumeId,
    tenantId: Type.String(),
    name: Name,
    labels: Labels,
    protected: Type.Boolean({ description: 'while true, deletion is refused (VOLUME_PROTECTED)' }),
    generation: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    spec: VolumeSpec,
    status: VolumeStatus,
  },
  { $id: 'Volume' },
);
export type Volume = Static<typeof Volume>;

export const CreateVolume = Type.Object(
  {
    name: Name,
    sizeGb: Type.Integer({ minimum: 1, maximum: MAX_VOLUME_GB, description: 'size in whole GB' }),
    format: Type.Optional(VolumeFormat),
    labels: Type.Optional(Labels),
    qos: Type.Optional(VolumeQos),
    protected: Type.Optional(Type.Boolean({ description: 'refuse deletion until lifted' })),
  },
  { additionalProperties: false },
);
export type CreateVolume = Static<typeof CreateVolume>;

export const UpdateVolume = Type.Object(
  { name: Type.Optional(Name), labels: Type.Optional(Labels), protected: Type.Optional(Type.Boolean({ description: 'refuse deletion until lifted' })), qos: Type.Optional(Type.Union([VolumeQos, Type.Null()], { description: 'new limits, applied live; null lifts them' })) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateVolume = Static<typeof UpdateVolume>;

export const AttachVolume = Type.Object(
  { server: NameOrId('srv'), path: Type.Optional(MountPath) },
  { additionalProperties: false },
);
export type AttachVolume = Static<typeof AttachVolume>;

export const ResizeVolume = Type.Object(
  { sizeGb: Type.Integer({ minimum: 1, maximum: MAX_VOLUME_GB, description: 'the new size in whole GB; never smaller than now' }) },
  { additionalProperties: false },
);
export type ResizeVolume = Static<typeof ResizeVolume>;

export const VolumeWithOperation = Type.Object({ volume: Volume, operation: Operation });
export type VolumeWithOperation = Static<typeof VolumeWithOperation>;

/** The QoS of a server's root disk: its own setting, its plan's, and what is in force. */
export const ServerDiskQos = Type.Object(
  {
    server: Type.String({ description: 'srv_… id' }),
    /** The server's own limits; null when it takes its plan's. */
    qos: Type.Union([VolumeQos, Type.Null()]),
    /** The plan's limits; null when the plan has none. */
    plan: Type.Union([VolumeQos, Type.Null()]),
    /** What the kernel is told: the server's own limits, else the plan's, else none ({}). */
    effective: VolumeQos,
    /** Whether the engine has applied the latest setting. */
    applied: Type.Boolean(),
  },
  { $id: 'ServerDiskQos' },
);
export type ServerDiskQos = Static<typeof ServerDiskQos>;

export const SetServerDiskQos = Type.Object(
  { qos: Type.Union([VolumeQos, Type.Null()], { description: 'limits applied live to the root disk; null returns to the plan’s' }) },
  { additionalProperties: false },
);
export type SetServerDiskQos = Static<typeof SetServerDiskQos>;
