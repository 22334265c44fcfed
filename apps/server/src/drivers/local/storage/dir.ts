/**
 * The `dir` backend: each volume is a sparse image file in one directory, used through a loop
 * device. It works on any host filesystem that has sparse files (ext4, xfs); space is taken as
 * the guest writes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, statfs, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.ts';
import { pidAlive } from '../lock.ts';
import { detachLoops, loopsOf } from '../mounts.ts';
import { type BackendFactory, checkVolumeId, type VolumeBackend } from './backend.ts';
import { detectFormat } from './format.ts';
import { createFileSnapshots } from './snapshot-files.ts';

/** A staging file carries the PID of the process making it, so a dead one's is removed. */
const STAGING = /^\.(vol_[A-Za-z0-9_-]+)\.creating-(\d+)\.img$/;
const FINAL = /^(vol_[A-Za-z0-9_-]+)\.img$/;

/** Makes a `dir` backend over `config.path`. */
export const createDirBackend: BackendFactory = (config): VolumeBackend => {
  if (!config.path) throw new Error('the dir storage backend needs a path');
  const root: string = config.path;
  const fileOf = (id: string) => join(root, `${checkVolumeId(id)}.img`);
  const files = createFileSnapshots(join(root, 'snapshots'));

  /** Removes staging files of processes that died, and this process's own for `id`. */
  async function sweep(id: string): Promise<void> {
    for (const entry of await readdir(root)) {
      const m = STAGING.exec(entry);
      if (!m) continue;
      const pid = Number(m[2]);
      if (!pidAlive(pid) || (pid === process.pid && m[1] === id)) {
        await detachLoops(join(root, entry), 0);
        await rm(join(root, entry), { force: true });
      }
    }
  }

  return {
    name: 'dir',
    capabilities: { snapshots: true, thin: true, onlineGrow: true, qos: true },
    async capacity() {
      await mkdir(root, { recursive: true, mode: 0o700 });
      const s = await statfs(root);
      return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    },
    async inspect(id) {
      const file = fileOf(id);
      const st = await stat(file).catch(() => null);
      if (!st) return null;
      const format = await detectFormat(file);
      if (!format) throw new Error(`volume file ${file} carries no filesystem we know`);
      return { sizeBytes: st.size, usedBytes: st.blocks * 512, format };
    },
    async list() {
      if (!existsSync(root)) return [];
      return (await readdir(root)).flatMap((e) => FINAL.exec(e)?.[1] ?? []);
    },
    async create(spec, format) {
      await mkdir(root, { recursive: true, mode: 0o700 });
      await sweep(spec.id);
      const file = fileOf(spec.id);
      if (existsSync(file)) return; // exists: making it again changes nothing
      // Made and formatted under a staging name, then renamed: a kill halfway leaves no volume.
      const staging = join(root, `.${spec.id}.creating-${process.pid}.img`);
      try {
        await writeFile(staging, '', { mode: 0o600 });
        await truncate(staging, spec.sizeGb * 1024 ** 3);
        await format(staging);
        await rename(staging, file);
      } catch (e) {
        await rm(staging, { force: true });
        throw e;
      }
    },
    async activate(id) {
      const file = fileOf(id);
      const [dev] = await loopsOf(file);
      if (dev) return dev;
      const r = await run('losetup', ['--find', '--show', '--direct-io=on', file]);
      return r.stdout.trim();
    },
    async grow(id, sizeBytes) {
      const file = fileOf(id);
      if ((await stat(file)).size >= sizeBytes) return;
      await truncate(file, sizeBytes);
      // A loop device keeps the size it was set up with until told to read it again.
      for (const dev of await loopsOf(file)) await run('losetup', ['--set-capacity', dev]);
    },
    async deactivate(id) {
      await detachLoops(fileOf(id), 0);
    },
    async remove(id) {
      const file = fileOf(id);
      await detachLoops(file, 0);
      await rm(file, { force: true });
    },
    snapshots: {
      take: (id, snap, quiesce) => files.take(checkVolumeId(id), snap, fileOf(id), quiesce),
      inspect: (id, snap) => files.inspect(checkVolumeId(id), snap),
      list: (id) => files.list(checkVolumeId(id)),
      remove: (id, snap) => files.remove(checkVolumeId(id), snap),
      removeAll: (id) => files.removeAll(checkVolumeId(id)),
      async prepareRestore(id, snap) {
        const staging = await files.stageRestore(checkVolumeId(id), snap, fileOf(id));
        return async () => {
          // A loop device reads the file it was set up on: none may be left on the old one.
          await detachLoops(fileOf(id), 3000);
          await rename(staging, fileOf(id));
        };
      },
      source: (id, snap) => files.fileOf(checkVolumeId(id), snap),
    },
  };
};
