/**
 * The storage facet on Proxmox VE: the capacity of the storage that holds root filesystems. Volumes as extra
 * disks and mount points are not built yet; each such call says so instead of pretending.
 */
import { PermanentEngineError, type StorageDriver } from '../types.ts';
import type { PveClient } from './client.ts';

/** Creates the storage facet over one storage id (e.g. `local-lvm`). */
export function createProxmoxStorage(client: PveClient, storage: string): StorageDriver {
  const notYet = (): never => {
    throw new PermanentEngineError('volumes on Proxmox VE (extra disks and mount points) are not built yet');
  };
  return {
    backend: `proxmox:${storage}`,
    capabilities: { snapshots: false, thin: true, onlineGrow: false, qos: false },
    async capacity() {
      const res = await client.get<{ type: string; storage?: string; status?: string; maxdisk?: number; disk?: number }[]>('/cluster/resources', { type: 'storage' });
      let totalBytes = 0;
      let freeBytes = 0;
      for (const r of res) {
        if (r.storage !== storage || r.status !== 'available') continue;
        totalBytes += r.maxdisk ?? 0;
        freeBytes += (r.maxdisk ?? 0) - (r.disk ?? 0);
      }
      return { totalBytes, freeBytes };
    },
    inspect: async () => null,
    list: async () => [],
    create: async () => notYet(),
    attach: async () => notYet(),
    detach: async () => notYet(),
    limit: async () => notYet(),
    grow: async () => notYet(),
    // Nothing of ours exists to remove.
    destroy: async () => null,
  };
}
