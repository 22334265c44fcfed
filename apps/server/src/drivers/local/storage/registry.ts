/**
 * The local storage backends by name; the operator picks one per host (`kumulus serve
 * --storage-backend`), so adding ZFS or Ceph later is one more entry here.
 */
import type { BackendFactory, VolumeBackend } from './backend.ts';
import { createDirBackend } from './dir.ts';

/** Every local backend, by the name operators configure. */
export const STORAGE_BACKENDS: Readonly<Record<string, BackendFactory>> = {
  dir: createDirBackend,
};

/** Makes the backend named `name` with its configuration; an unknown name says which exist. */
export function createBackend(name: string, config: Record<string, string>): VolumeBackend {
  const factory = STORAGE_BACKENDS[name];
  if (!factory) throw new Error(`unknown storage backend ${name}: choose one of ${Object.keys(STORAGE_BACKENDS).join(', ')}`);
  return factory(config);
}
