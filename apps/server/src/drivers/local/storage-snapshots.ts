/**
 * Snapshots of the local storage facet: a server's root disk (the instance's disk image, as
 * sparse file copies beside lxcPath) and volumes (through their backend). A snapshot freezes the
 * guest and flushes the filesystem for the moment of the copy; a rollback stops the server that
 * uses the disk around the swap and starts it again when it ran, as Proxmox does.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotObservation, SnapshotTarget, StorageDriver, VolumeAttachment } from '../types.ts';
import { instancePaths } from './instance-files.ts';
import { detachLoops, mountsUnder, unmountUnder } from './mounts.ts';
import { type BackendSnapshots, checkVolumeId, type VolumeBackend } from './storage/backend.ts';
import { detectFormat } from './storage/format.ts';
import { thawLeftovers, withFrozen } from './storage/freeze.ts';
import { createFileSnapshots, sparseCopy } from './storage/snapshot-files.ts';

const GB = 1024 ** 3;

/** What the compute facet lends storage, so no start or stop runs while a disk is copied or swapped. */
export interface InstanceControl {
  /** Runs `fn` holding the instance's lock. */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** Under the instance's lock: stops it when it runs, runs `fn`, and starts it again when it ran (also when `fn` failed). */
  whileStopped(id: string, fn: () => Promise<void>): Promise<void>;
}

/** The parts of the storage facet that snapshots build on. */
export interface SnapshotContext {
  backend: VolumeBackend;
  lxcPath: string;
  /** Where server snapshots live, one directory per server. */
  snapshotRoot: string;
  /** Where freeze markers go (the facet's mount root). */
  markerDir: string;
  instances: () => InstanceControl;
  hostMount: (id: string) => string;
  bindingsOf: (id: string) => Promise<VolumeAttachment[]>;
  runningPid: (instance: string) => Promise<number | null>;
  unmountFromHost: (id: string) => Promise<void>;
  serialized: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
}

type SnapshotMethods = Pick<StorageDriver, 'snapshot' | 'inspectSnapshot' | 'listSnapshots' | 'removeSnapshot' | 'rollback' | 'cloneSnapshot'>;

/** Builds the snapshot methods of the local storage facet. */
export function createSnapshotMethods(c: SnapshotContext): SnapshotMethods {
  const servers = createFileSnapshots(c.snapshotRoot);
  const serverPaths = (id: string) => {
    if (!/^srv_[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a server id: ${id}`);
    return instancePaths(join(c.lxcPath, id));
  };
  const volumeSnaps = (): BackendSnapshots => {
    if (!c.backend.snapshots) throw new Error(`the ${c.backend.name} storage backend has no snapshots`);
    return c.backend.snapshots;
  };
  const isMounted = async (dir: string) => (await mountsUnder(dir)).includes(dir);

  async function snapshotServer(id: string, snap: string): Promise<void> {
    await c.instances().exclusive(id, async () => {
      const p = serverPaths(id);
      if (!existsSync(p.image)) throw new Error(`server ${id} has no disk image to snapshot`);
      const running = (await c.runningPid(id)) !== null;
      const mounts = (await isMounted(p.mnt)) ? [p.mnt] : [];
      await servers.take(id, snap, p.image, (copy) => withFrozen(c.markerDir, id, { lxcPath: c.lxcPath, instance: running ? id : null, mounts }, copy));
    });
  }

  async function snapshotVolume(id: string, snap: string): Promise<void> {
    await c.serialized(id, async () => {
      if (!(await c.backend.inspect(checkVolumeId(id)))) throw new Error(`volume ${id} does not exist`);
      const instance = (await c.bindingsOf(id))[0]?.instance ?? null;
      const running = instance !== null && (await c.runningPid(instance)) !== null;
      const mounts = (await isMounted(c.hostMount(id))) ? [c.hostMount(id)] : [];
      await volumeSnaps().take(id, snap, (copy) => withFrozen(c.markerDir, id, { lxcPath: c.lxcPath, instance: running ? instance : null, mounts }, copy));
    });
  }

  async function rollbackServer(id: string, snap: string): Promise<void> {
    const p = serverPaths(id);
    const staging = await servers.stageRestore(id, snap, p.image);
    try {
      await c.instances().whileStopped(id, async () => {
        // Stopped, the disk is unmounted; a loop device left on the old file would keep serving it.
        await unmountUnder(p.mnt);
        await detachLoops(p.image, 3000);
        await rename(staging, p.image);
      });
    } finally {
      await rm(staging, { force: true });
    }
  }

  async function rollbackVolume(id: string, snap: string): Promise<void> {
    const swap = await c.serialized(id, () => volumeSnaps().prepareRestore(checkVolumeId(id), snap));
    const put = () =>
      c.serialized(id, async () => {
        await c.unmountFromHost(id);
        await swap();
      });
    const instance = (await c.bindingsOf(id))[0]?.instance;
    // The server's start mounts the volume again (prepareInstance), outside the volume's lock.
    if (instance) await c.instances().whileStopped(instance, put);
    else await put();
  }

  return {
    async snapshot(target, snap) {
      await thawLeftovers(c.markerDir);
      if (target.kind === 'server') await snapshotServer(target.id, snap);
      else await snapshotVolume(target.id, snap);
      return null;
    },
    inspectSnapshot(target, snap): Promise<SnapshotObservation | null> {
      return target.kind === 'server' ? servers.inspect(target.id, snap) : volumeSnaps().inspect(checkVolumeId(target.id), snap);
    },
    listSnapshots(target) {
      return target.kind === 'server' ? servers.list(target.id) : volumeSnaps().list(checkVolumeId(target.id));
    },
    async removeSnapshot(target, snap) {
      await thawLeftovers(c.markerDir);
      if (target.kind === 'server') await servers.remove(target.id, snap);
      else await volumeSnaps().remove(checkVolumeId(target.id), snap);
      return null;
    },
    async rollback(target, snap) {
      await thawLeftovers(c.markerDir);
      if (target.kind === 'server') await rollbackServer(target.id, snap);
      else await rollbackVolume(target.id, snap);
      return null;
    },
    async cloneSnapshot(target: SnapshotTarget, snap, volumeId) {
      const source = target.kind === 'server' ? servers.fileOf(target.id, snap) : volumeSnaps().source(checkVolumeId(target.id), snap);
      const seen = target.kind === 'server' ? await servers.inspect(target.id, snap) : await volumeSnaps().inspect(target.id, snap);
      if (!seen) throw new Error(`snapshot ${snap} of ${target.id} does not exist`);
      const format = await detectFormat(source);
      if (!format) throw new Error(`snapshot ${snap} carries no filesystem we know`);
      await c.serialized(volumeId, () =>
        c.backend.create({ id: checkVolumeId(volumeId), sizeGb: Math.ceil(seen.sizeBytes / GB), format }, (staging) => sparseCopy(source, staging)),
      );
      return null;
    },
  };
}
