/**
 * The storage facet on Proxmox VE: the capacity of the storage that holds root filesystems, and snapshots of a
 * server's container (`…/lxc/{vmid}/snapshot`, taken with the container frozen for the moment of the copy, as
 * pve-container does). Volumes as extra disks and mount points are not built yet; each such call says so.
 */
import { PermanentEngineError, type SnapshotTarget, type StorageDriver } from '../types.ts';
import { PveApiError, type PveClient, type PveParams } from './client.ts';
import { type LocatedGuest, locateGuests } from './guests.ts';
import { diskBytes } from './changes.ts';
import { readRecord, WATCHED } from './record.ts';
import { retryTransient, type TaskPoller, waitForTask } from './tasks.ts';

/** The options a rollback must not take back: what Kumulus set on the guest besides its disk. */
const KEPT = /^(hostname|cores|memory|swap|net\d+|nameserver|searchdomain|description|tags|protection)$/;

interface PveSnapshot {
  name: string;
  snaptime?: number;
}

/** Creates the storage facet over one storage id (e.g. `local-lvm`). */
export function createProxmoxStorage(client: PveClient, tasks: TaskPoller, storage: string, rollingBack: Set<string>): StorageDriver {
  const notYet = (): never => {
    throw new PermanentEngineError('volumes on Proxmox VE (extra disks and mount points) are not built yet');
  };
  const path = (g: LocatedGuest) => `/nodes/${encodeURIComponent(g.node)}/lxc/${g.vmid}`;
  /** The guest a snapshot is of; volumes have none yet, and a server that is gone has no snapshots. */
  const guestOf = async (target: SnapshotTarget): Promise<LocatedGuest | null> => {
    if (target.kind === 'volume') return null;
    return (await locateGuests(client)).guests.get(target.id) ?? null;
  };
  const snapshotsOf = async (g: LocatedGuest) => (await client.get<PveSnapshot[]>(`${path(g)}/snapshot`)).filter((s) => s.name !== 'current');
  const busy = (g: LocatedGuest, what: string) => {
    // Another task holds the guest (a backup, another snapshot): retried later, nothing was done.
    if (g.lock) throw new PveApiError(500, `CT ${g.vmid} is locked (${g.lock}); the ${what} waits until the lock is gone`);
  };
  return {
    backend: `proxmox:${storage}`,
    // Snapshots of a server as a whole container; there is no per-disk QoS for containers in Proxmox VE.
    capabilities: { snapshots: true, thin: true, onlineGrow: false, qos: false },
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

    async snapshot(target, snapshotId) {
      if (target.kind === 'volume') return notYet();
      const g = await guestOf(target);
      if (!g) throw new Error(`instance ${target.id} does not exist on the cluster`);
      if ((await snapshotsOf(g)).some((s) => s.name === snapshotId)) return null;
      busy(g, 'snapshot');
      // A storage without the snapshot feature (a directory) fails the task with "snapshot feature is not available".
      return { node: g.node, id: await client.post<string>(`${path(g)}/snapshot`, { snapname: snapshotId, description: `Kumulus snapshot ${snapshotId}` }) };
    },
    async inspectSnapshot(target, snapshotId) {
      const g = await guestOf(target);
      if (!g) return null;
      const s = (await snapshotsOf(g)).find((x) => x.name === snapshotId);
      if (!s) return null;
      // The size is the root disk's as the snapshot's config recorded it. Proxmox VE reports no space per
      // snapshot, so what it takes is unknown here and reported as 0.
      const config = await client.get<Record<string, string>>(`${path(g)}/snapshot/${encodeURIComponent(snapshotId)}/config`);
      return { sizeBytes: diskBytes(config.rootfs), usedBytes: 0, takenAt: (s.snaptime ?? 0) * 1000 };
    },
    async listSnapshots(target) {
      const g = await guestOf(target);
      return g ? (await snapshotsOf(g)).map((s) => s.name) : [];
    },
    async removeSnapshot(target, snapshotId) {
      const g = await guestOf(target);
      if (!g || !(await snapshotsOf(g)).some((s) => s.name === snapshotId)) return null;
      busy(g, 'snapshot removal');
      return { node: g.node, id: await client.del<string>(`${path(g)}/snapshot/${encodeURIComponent(snapshotId)}`) };
    },
    async rollback(target, snapshotId) {
      if (target.kind === 'volume') return notYet();
      const g = await guestOf(target);
      if (!g) throw new Error(`instance ${target.id} does not exist on the cluster`);
      if (!(await snapshotsOf(g)).some((s) => s.name === snapshotId)) throw new PermanentEngineError(`CT ${g.vmid} has no snapshot ${snapshotId}`);
      busy(g, 'rollback');
      const ran = g.status === 'running';
      // While it is stopped for the rollback, the server reads as running (the stop is part of the rollback, not
      // something that happened to it): the reconciler neither starts it nor reports a restart as drift.
      if (ran) rollingBack.add(target.id);
      try {
        // pve-container stops a running container and puts the snapshot's whole config back; a Kumulus rollback is of
        // the disk only, so the options Kumulus set (size, NICs, names) are set again before the guest starts.
        const before = await client.get<Record<string, string>>(`${path(g)}/config`);
        await waitForTask(tasks, { node: g.node, id: await client.post<string>(`${path(g)}/snapshot/${encodeURIComponent(snapshotId)}/rollback`, { start: false }) });
        const after = await retryTransient(() => client.get<Record<string, string>>(`${path(g)}/config`));
        // The record (in the description, which a rollback keeps) says what Kumulus set even when this is a retry
        // whose first rollback already ran; the config from before covers the options it does not hold.
        const record = readRecord(after);
        const params: PveParams = {};
        const del: string[] = [];
        for (const k of new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(record ?? {})])) {
          if (!KEPT.test(k)) continue;
          const want = record && WATCHED.includes(k) ? record[k] : before[k];
          if (want === after[k]) continue;
          if (want === undefined) del.push(k);
          else params[k] = want;
        }
        if (Object.keys(params).length > 0 || del.length > 0) await retryTransient(() => client.put(`${path(g)}/config`, { ...params, ...(del.length > 0 ? { delete: del.join(',') } : {}) }));
        if (!ran) return null;
        let start: string | null = null;
        try {
          start = await retryTransient(() => client.post<string>(`${path(g)}/status/start`));
        } catch (err) {
          // A start whose answer was lost has started it.
          if (!(err instanceof PveApiError && /already running/.test(err.message))) throw err;
        }
        if (start) await waitForTask(tasks, { node: g.node, id: start });
        return null;
      } finally {
        rollingBack.delete(target.id);
      }
    },
    cloneSnapshot: async () => notYet(),
    // Proxmox VE has no I/O limits for container disks (mount point options have none): none asked for is what a
    // guest has; a limit cannot be set and says so.
    limitRootDisk: async (_id, qos) => {
      if (Object.values(qos).some((v) => v !== undefined && v !== null && v !== 0)) {
        throw new PermanentEngineError('Proxmox VE has no I/O limits for container disks (rootfs and mount points take none)');
      }
      return null;
    },
  };
}
