/**
 * Root disk quota: each instance's overlay upper dir lives on its own sparse ext4 image of
 * `diskGb`, loop-mounted while the instance runs. Making and mounting one costs ~20 ms.
 */
import { existsSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { run } from './exec.ts';
import { mountsUnder } from './mounts.ts';
import type { IdMap } from './rootfs.ts';

/** Makes a sparse ext4 image of `sizeGb` filled from `fromDir` (its owners and modes kept). */
export async function createDiskImage(file: string, sizeGb: number, map: IdMap, fromDir: string): Promise<void> {
  await writeFile(file, '');
  await truncate(file, Math.round(sizeGb * 1024 ** 3));
  // Lazy init keeps mkfs at milliseconds on a sparse file; -m 0 because the guest is the only user.
  await run('mkfs.ext4', [
    '-q',
    '-F',
    '-m',
    '0',
    '-E',
    `lazy_itable_init=1,lazy_journal_init=1,root_owner=${map.base}:${map.base}`,
    '-d',
    fromDir,
    file,
  ]);
}

/** Loop-mounts the disk image at `dir` unless something is mounted there already. */
export async function mountDiskImage(file: string, dir: string): Promise<void> {
  if ((await mountsUnder(dir)).includes(dir)) return;
  if (!existsSync(dir)) await mkdir(dir);
  // mount -o loop sets autoclear, so the loop device goes away with the unmount.
  await run('mount', ['-o', 'loop,noatime', file, dir]);
}
