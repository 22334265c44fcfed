/**
 * VM images in the machine-wide image cache, beside the container images: a directory with the
 * base disk (qcow2) every VM's disk is a linked clone of, and the kernel and initramfs QEMU boots
 * directly. Built once under a lock in a staging dir renamed into place, like container images.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageSource } from '../../types.ts';
import { withDirLock } from '../lock.ts';
import { unmountUnder } from '../mounts.ts';
import { buildVmImage } from './image-build-vm.ts';

interface VmRecipe {
  source: ImageSource;
  /** Bumped whenever the build changes, so old cache entries are never reused. */
  version: number;
  build(dir: string, ctx: { cache: string; mirror?: string }): Promise<void>;
}

const RECIPES: VmRecipe[] = [
  {
    source: { name: 'debian-12-vm', os: 'debian', kind: 'vm' },
    // 2: dbus, so logind handles the ACPI power button.
    version: 2,
    build: (dir, ctx) => buildVmImage(dir, join(ctx.cache, 'debs'), ctx.mirror),
  },
];

/** A prepared VM image on disk. */
export interface PreparedVmImage {
  dir: string;
}

/** The VM image facet: the same calls as the container one, plus `resolve` for the VM facet. */
export interface VmImages {
  available(): ImageSource[];
  /** True when `name` (ours or engine-level) is a VM image. */
  knows(name: string): boolean;
  prepare(name: string): Promise<string>;
  isReady(name: string): Promise<boolean>;
  resolve(name: string): Promise<PreparedVmImage>;
}

/** Creates the VM image facet over the shared cache directory. */
export function createVmImages(opts: { imageCache: string; mirror?: string }): VmImages {
  const cache = opts.imageCache;
  const engineName = (r: VmRecipe) => `${r.source.name}-v${r.version}`;
  const find = (name: string) => RECIPES.find((x) => x.source.name === name || engineName(x) === name);
  const recipeOf = (name: string) => {
    const r = find(name);
    if (!r) throw new Error(`unknown VM image ${name}; known: ${RECIPES.map((x) => x.source.name).join(', ')}`);
    return r;
  };
  const ready = (r: VmRecipe) => existsSync(join(cache, engineName(r), 'image.json'));

  async function build(r: VmRecipe): Promise<void> {
    const name = engineName(r);
    for (const entry of await readdir(cache)) {
      if (entry.startsWith(`.build-${name}-`)) {
        await unmountUnder(join(cache, entry)); // debootstrap mounts /proc and /sys in its target
        await rm(join(cache, entry), { recursive: true, force: true });
      }
    }
    const staging = join(cache, `.build-${name}-${process.pid}`);
    const started = Date.now();
    await mkdir(staging, { recursive: true });
    try {
      await r.build(staging, { cache, mirror: opts.mirror });
    } finally {
      await unmountUnder(staging);
    }
    await chmod(staging, 0o755);
    await writeFile(join(staging, 'image.json'), JSON.stringify({ name: r.source.name, os: r.source.os, kind: 'vm', buildMs: Date.now() - started }, null, 2) + '\n');
    await rename(staging, join(cache, name)); // atomic: the image exists complete or not at all
  }

  return {
    available: () => RECIPES.map((r) => r.source),
    knows: (name) => find(name) !== undefined,
    async isReady(name) {
      return ready(recipeOf(name));
    },
    async prepare(name) {
      const r = recipeOf(name);
      if (ready(r)) return engineName(r);
      await mkdir(cache, { recursive: true, mode: 0o755 });
      await withDirLock(join(cache, `.lock-${engineName(r)}`), async () => {
        if (!ready(r)) await build(r);
      });
      return engineName(r);
    },
    async resolve(name) {
      const r = recipeOf(name);
      if (!ready(r)) throw new Error(`image ${name} is not prepared; call images.prepare first`);
      return { dir: join(cache, engineName(r)) };
    },
  };
}
