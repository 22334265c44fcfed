/**
 * What a local storage backend provides: formatted block devices named after our volume ids.
 * Mounting them into containers is the same for every backend and lives in ../storage.ts.
 */
import type { SnapshotObservation, StorageCapabilities, StorageCapacity, VolumeFormat, VolumeSpec } from '../../types.ts';

/** One volume as a backend holds it. */
export interface BackendVolume {
  sizeBytes: number;
  /** Space taken on the backend: allocated blocks of a sparse file, mapped extents of a thin LV. */
  usedBytes: number;
  format: VolumeFormat;
}

/** A local backend; every method is idempotent and treats "already gone" as done. */
export interface VolumeBackend {
  /** The registry name of the backend. */
  readonly name: string;
  readonly capabilities: StorageCapabilities;
  capacity(): Promise<StorageCapacity>;
  /** The volume when it exists and is complete (formatted); null otherwise. */
  inspect(id: string): Promise<BackendVolume | null>;
  /** Ids of every complete volume. */
  list(): Promise<string[]>;
  /**
   * Makes the volume and formats it with `format(device)`; a volume half-made by a killed
   * process is removed and made again, so a retry never finds an unformatted one.
   */
  create(spec: VolumeSpec, format: (device: string) => Promise<void>): Promise<void>;
  /** Makes the volume's block device usable and answers its path (a loop device, an LV). */
  activate(id: string): Promise<string>;
  /** Releases what `activate` took (detaches the loop device); the data stays. */
  deactivate(id: string): Promise<void>;
  /** Makes the volume's block device `sizeBytes` large (never smaller), also while it is in use. */
  grow(id: string, sizeBytes: number): Promise<void>;
  /** Removes the volume and its data; absent is success. */
  remove(id: string): Promise<void>;
  /** Snapshots of its volumes, when the backend has them (capability snapshots). */
  readonly snapshots?: BackendSnapshots;
}

/** Runs a copy while the volume's users are frozen; given by the storage facet, which knows them. */
export type Quiesce = (copy: () => Promise<void>) => Promise<void>;

/** Point-in-time snapshots of a backend's volumes; every method is idempotent. */
export interface BackendSnapshots {
  /** Takes the snapshot; its copy runs inside `quiesce`. Present already: nothing happens. */
  take(id: string, snapshotId: string, quiesce: Quiesce): Promise<void>;
  inspect(id: string, snapshotId: string): Promise<SnapshotObservation | null>;
  list(id: string): Promise<string[]>;
  remove(id: string, snapshotId: string): Promise<void>;
  /** Removes every snapshot of the volume (when the volume goes). */
  removeAll(id: string): Promise<void>;
  /**
   * Readies the snapshot's bytes aside while the volume may still be in use, and answers the
   * step that puts them in place; that step runs while the volume is deactivated.
   */
  prepareRestore(id: string, snapshotId: string): Promise<() => Promise<void>>;
  /** A file or device that holds the snapshot's bytes, to copy a clone from. */
  source(id: string, snapshotId: string): string;
}

/** Makes a backend from the operator's configuration of it. */
export type BackendFactory = (config: Record<string, string>) => VolumeBackend;

/** Guards names built from ids: only our `vol_` ids may name a file or an LV. */
export function checkVolumeId(id: string): string {
  if (!/^vol_[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a volume id: ${id}`);
  return id;
}
