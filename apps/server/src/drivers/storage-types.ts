/**
 * The storage side of the engine interface (see types.ts): block volumes on one backend,
 * attached to instances, with QoS and snapshots.
 */

import type { TaskRef } from './compute-types.ts';

/** What a storage backend can do; checked instead of the backend's name. */
export interface StorageCapabilities {
  /** Point-in-time snapshots with rollback. */
  snapshots: boolean;
  /** Space is taken as data is written, not when the volume is made. */
  thin: boolean;
  /** A volume can grow while it is attached and mounted. */
  onlineGrow: boolean;
  /** Throughput and IOPS limits per volume (cgroup throttling on its block device). */
  qos: boolean;
}

/** Filesystems a volume can be formatted with. */
export type VolumeFormat = 'ext4' | 'xfs';

/** Everything a storage backend needs to make a volume; derived from the volume's spec. */
export interface VolumeSpec {
  /** Our volume id (`vol_…`); the backend names its object after it. */
  id: string;
  sizeGb: number;
  format: VolumeFormat;
}

/** Where a volume is attached: an instance and the path inside it. */
export interface VolumeAttachment {
  /** Our server id (`srv_…`). */
  instance: string;
  /** Absolute path inside the instance where the filesystem is mounted. */
  path: string;
}

/** Throughput and IOPS limits of a volume; an absent or 0 field is unlimited. */
export interface VolumeQos {
  readBytesPerSec?: number;
  writeBytesPerSec?: number;
  readIops?: number;
  writeIops?: number;
}

/** What a storage driver reports about one of its volumes. */
export interface VolumeObservation {
  sizeBytes: number;
  /** Space the volume really takes on the backend (less than its size when thin or sparse). */
  usedBytes: number;
  format: VolumeFormat;
  attachments: VolumeAttachment[];
}

/** Space of a backend, for free-space checks before a volume is accepted. */
export interface StorageCapacity {
  totalBytes: number;
  freeBytes: number;
}

/** The storage facet: block volumes on one backend, attached to instances as filesystems. */
export interface StorageDriver {
  /** The backend's registry name (`dir`, `lvm-thin`). */
  readonly backend: string;
  readonly capabilities: StorageCapabilities;
  capacity(): Promise<StorageCapacity>;
  /** Reads the volume named after `id`; null when there is none. */
  inspect(id: string): Promise<VolumeObservation | null>;
  /** Ids of every volume this backend holds for us. */
  list(): Promise<string[]>;
  /** Makes and formats the volume unless it exists already; a failure leaves nothing half-made. */
  create(spec: VolumeSpec): Promise<TaskRef | null>;
  /** Mounts the volume into the instance at `path` (live when it runs, and on every start). */
  attach(id: string, to: VolumeAttachment): Promise<TaskRef | null>;
  /** Unmounts the volume from the instance; not attached is success. */
  detach(id: string, instance: string): Promise<TaskRef | null>;
  /** Sets the volume's I/O limits, live on the instance it is attached to and on every start (capability qos). */
  limit(id: string, qos: VolumeQos): Promise<TaskRef | null>;
  /** Grows the volume and its filesystem to `sizeGb`, mounted or not; never shrinks. */
  grow(id: string, sizeGb: number): Promise<TaskRef | null>;
  /** Removes the volume (detaching it first) and its snapshots; absent is success. */
  destroy(id: string): Promise<TaskRef | null>;
  /**
   * Takes a consistent snapshot `snapshotId` of a server's root disk or of a volume: the guest
   * using it is frozen (and its filesystem flushed) only for the moment of the copy, and thawed
   * also when the copy fails. Taking one that exists changes nothing (capability snapshots).
   */
  snapshot(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /** Reads a complete snapshot; null when there is none. */
  inspectSnapshot(target: SnapshotTarget, snapshotId: string): Promise<SnapshotObservation | null>;
  /** Ids of the complete snapshots of one target. */
  listSnapshots(target: SnapshotTarget): Promise<string[]>;
  /** Removes a snapshot; absent is success. */
  removeSnapshot(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /**
   * Puts the target back to the snapshot's bytes; the server using it (the server itself, or the
   * one the volume is attached to) is stopped around it and started again when it ran.
   */
  rollback(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /**
   * Sets the I/O limits of a server's root disk (its block device), live when it runs and at
   * every start; empty lifts them (capability qos).
   */
  limitRootDisk(instance: string, qos: VolumeQos): Promise<TaskRef | null>;
  /** Makes a new detached volume `volumeId` from a snapshot (of a volume or of a root disk). */
  cloneSnapshot(target: SnapshotTarget, snapshotId: string, volumeId: string): Promise<TaskRef | null>;
}

/** What a snapshot is of: a server's root disk or a volume, by our id. */
export interface SnapshotTarget {
  kind: 'server' | 'volume';
  id: string;
}

/** What a storage driver reports about one snapshot. */
export interface SnapshotObservation {
  /** The size of the disk it holds. */
  sizeBytes: number;
  /** Space it really takes on the backend (allocated blocks; shared extents count in full). */
  usedBytes: number;
  /** When it was taken (ms since the epoch). */
  takenAt: number;
}
