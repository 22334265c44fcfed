/**
 * What a local storage backend provides: formatted block devices named after our volume ids.
 * Mounting them into containers is the same for every backend and lives in ../storage.ts.
 */
import type { StorageCapabilities, StorageCapacity, VolumeFormat, VolumeSpec } from '../../types.ts';

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
}

/** Makes a backend from the operator's configuration of it. */
export type BackendFactory = (config: Record<string, string>) => VolumeBackend;

/** Guards names built from ids: only our `vol_` ids may name a file or an LV. */
export function checkVolumeId(id: string): string {
  if (!/^vol_[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a volume id: ${id}`);
  return id;
}
