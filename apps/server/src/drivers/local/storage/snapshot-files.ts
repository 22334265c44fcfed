/**
 * Snapshots as sparse file copies: one directory per target under `root`, each snapshot a
 * `<snp_…>.img` made under a staging name that carries the PID of the process copying it, so a
 * copy cut short by a kill is removed by the next call. `cp --reflink=auto` makes the copy
 * free where the host filesystem shares extents (xfs, btrfs) and a sparse copy elsewhere.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SnapshotObservation } from '../../types.ts';
import { run } from '../exec.ts';
import { pidAlive } from '../lock.ts';

const SNAPSHOT_ID = /^snp_[A-Za-z0-9_-]+$/;
const TARGET_ID = /^(srv|vol)_[A-Za-z0-9_-]+$/;
const FINAL = /^(snp_[A-Za-z0-9_-]+)\.img$/;
const STAGING = /\.(?:creating|restoring)-(\d+)(?:\.img)?$/;

/** Guards names built from snapshot ids. */
export function checkSnapshotId(id: string): string {
  if (!SNAPSHOT_ID.test(id)) throw new Error(`not a snapshot id: ${id}`);
  return id;
}

/** Copies `from` to `to` sparsely, sharing extents where the filesystem can, and makes it durable. */
export async function sparseCopy(from: string, to: string): Promise<void> {
  await run('cp', ['--sparse=always', '--reflink=auto', from, to]);
  const fh = await open(to, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes staging files (`.x.creating-PID…`, `.x.restoring-PID`) of dead processes in `dir`, and this process's own. */
export async function sweepStaging(dir: string, mine: (entry: string) => boolean = () => false): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir)) {
    const m = STAGING.exec(entry);
    if (!m || !entry.startsWith('.')) continue;
    const pid = Number(m[1]);
    if (!pidAlive(pid) || (pid === process.pid && mine(entry))) await rm(join(dir, entry), { force: true });
  }
}

/** The snapshot files of every target under one root directory. */
export function createFileSnapshots(root: string) {
  const dirOf = (target: string) => {
    if (!TARGET_ID.test(target)) throw new Error(`not a snapshot target: ${target}`);
    return join(root, target);
  };
  const fileOf = (target: string, id: string) => join(dirOf(target), `${checkSnapshotId(id)}.img`);

  return {
    fileOf,
    /**
     * Copies `source` into the snapshot inside `quiesce` (which freezes its users for the
     * moment); the flush to disk comes after the thaw. Present already: nothing happens.
     */
    async take(target: string, id: string, source: string, quiesce: (copy: () => Promise<void>) => Promise<void>): Promise<void> {
      const dir = dirOf(target);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await sweepStaging(dir, (e) => e.startsWith(`.${id}.`));
      const file = fileOf(target, id);
      if (existsSync(file)) return;
      const staging = join(dir, `.${id}.creating-${process.pid}.img`);
      try {
        await quiesce(() => run('cp', ['--sparse=always', '--reflink=auto', source, staging]).then(() => undefined));
        const fh = await open(staging, 'r+');
        await fh.sync().finally(() => fh.close());
        await rename(staging, file);
      } catch (e) {
        await rm(staging, { force: true });
        throw e;
      }
    },
    /** The snapshot's sizes and time; null when it does not exist (a staging copy does not count). */
    async inspect(target: string, id: string): Promise<SnapshotObservation | null> {
      const st = await stat(fileOf(target, id)).catch(() => null);
      return st ? { sizeBytes: st.size, usedBytes: st.blocks * 512, takenAt: Math.round(st.mtimeMs) } : null;
    },
    /** Ids of the target's complete snapshots. */
    async list(target: string): Promise<string[]> {
      const dir = dirOf(target);
      if (!existsSync(dir)) return [];
      return (await readdir(dir)).flatMap((e) => FINAL.exec(e)?.[1] ?? []);
    },
    /** Removes one snapshot, and the target's directory once it is empty. */
    async remove(target: string, id: string): Promise<void> {
      const dir = dirOf(target);
      await sweepStaging(dir, (e) => e.startsWith(`.${id}.`));
      await rm(fileOf(target, id), { force: true });
      if (existsSync(dir) && (await readdir(dir)).length === 0) await rmdir(dir).catch(() => {});
    },
    /** Removes every snapshot of the target. */
    async removeAll(target: string): Promise<void> {
      await rm(dirOf(target), { recursive: true, force: true });
    },
    /**
     * Copies the snapshot beside `dest` under a staging name (while `dest` may still be in use)
     * and answers the staging path; the caller renames it over `dest` once nothing uses it.
     */
    async stageRestore(target: string, id: string, dest: string): Promise<string> {
      const file = fileOf(target, id);
      if (!existsSync(file)) throw new Error(`snapshot ${id} of ${target} does not exist`);
      const name = basename(dest);
      await sweepStaging(dirname(dest), (e) => e.startsWith(`.${name}.`));
      const staging = join(dirname(dest), `.${name}.restoring-${process.pid}`);
      try {
        await sparseCopy(file, staging);
      } catch (e) {
        await rm(staging, { force: true });
        throw e;
      }
      return staging;
    },
  };
}

/** The snapshot files of one root. */
export type FileSnapshots = ReturnType<typeof createFileSnapshots>;
