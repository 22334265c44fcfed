/**
 * Quiescing for consistent snapshots: the container is frozen (cgroup freezer, through
 * lxc-freeze, on v1 and v2 alike) and the filesystem on the image flushed and frozen (fsfreeze)
 * for the moment of the copy, then thawed — also when the copy fails. A marker file written
 * before the freeze names what was frozen, so a control plane killed in that moment leaves
 * nothing frozen: the next call thaws what a dead process froze.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.ts';
import { pidAlive } from '../lock.ts';

const MARKER = /^\.frozen-([A-Za-z0-9_-]+)-(\d+)\.json$/;

/** What one snapshot freezes: a running container and/or host mount points of its disk. */
export interface FreezeSet {
  lxcPath: string;
  /** The running container to freeze; null when no guest runs on the disk. */
  instance: string | null;
  /** Host mount points of the filesystem to flush and freeze. */
  mounts: string[];
}

/** Runs `fn` with `what` frozen, thawing it afterwards whatever `fn` did; markers live in `markerDir`. */
export async function withFrozen<T>(markerDir: string, key: string, what: FreezeSet, fn: () => Promise<T>): Promise<T> {
  const marker = join(markerDir, `.frozen-${key}-${process.pid}.json`);
  await mkdir(markerDir, { recursive: true, mode: 0o711 });
  await writeFile(marker, JSON.stringify(what));
  const frozen: string[] = [];
  let container = false;
  try {
    if (what.instance) {
      await run('lxc-freeze', ['-P', what.lxcPath, '-n', what.instance]);
      container = true;
    }
    for (const m of what.mounts) {
      await run('fsfreeze', ['--freeze', m]);
      frozen.push(m);
    }
    return await fn();
  } finally {
    await thaw({ ...what, instance: container ? what.instance : null, mounts: frozen });
    await rm(marker, { force: true });
  }
}

/** Thaws the filesystems first (the guest's writes wait on them), then the container. */
async function thaw(what: FreezeSet): Promise<void> {
  for (const m of what.mounts) await run('fsfreeze', ['--unfreeze', m], { allowFail: true });
  if (what.instance) await run('lxc-unfreeze', ['-P', what.lxcPath, '-n', what.instance], { allowFail: true });
}

/** Thaws whatever a process that died while it held a freeze left frozen, and removes its marker. */
export async function thawLeftovers(markerDir: string): Promise<void> {
  if (!existsSync(markerDir)) return;
  for (const entry of await readdir(markerDir)) {
    const m = MARKER.exec(entry);
    if (!m || pidAlive(Number(m[2]))) continue;
    const file = join(markerDir, entry);
    const what: FreezeSet | null = JSON.parse(await readFile(file, 'utf8').catch(() => 'null'));
    // Thawing what is not frozen fails harmlessly; a mount or guest gone meanwhile too.
    if (what) await thaw({ ...what, mounts: what.mounts.filter((p) => existsSync(p)) });
    await rm(file, { force: true });
  }
}
