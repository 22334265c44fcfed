/**
 * The local image facet. A prepared image is a root filesystem in the machine-wide cache whose
 * ownership is already shifted into the id map, so instances are overlay clones of it with
 * no per-instance copy or chown. Builds happen in a staging dir renamed into place when complete.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageDriver, ImageSource } from '../types.ts';
import { buildDebianRootfs } from './image-build-debian.ts';
import { buildTinyRootfs } from './image-build-tiny.ts';
import { withDirLock } from './lock.ts';
import { unmountUnder } from './mounts.ts';
import { type IdMap, shiftOwnership } from './rootfs.ts';

/** How LXC must run an image: config includes and the signals its init understands. */
export interface ImageMeta {
  name: string;
  os: string;
  includes: string[];
  haltSignal?: string;
  rebootSignal?: string;
  buildMs: number;
}

/** A prepared image on disk. */
export interface PreparedImage {
  dir: string;
  rootfs: string;
  meta: ImageMeta;
}

interface Recipe {
  source: ImageSource;
  /** Bumped whenever the build changes, so old cache entries are never reused. */
  version: number;
  meta: Omit<ImageMeta, 'buildMs'>;
  build(rootfs: string, ctx: { cache: string; mirror?: string }): Promise<void>;
}

const LXC_CONF = '/usr/share/lxc/config';

const RECIPES: Recipe[] = [
  {
    source: { name: 'tiny', os: 'busybox' },
    version: 1,
    // busybox init: SIGUSR1 halts, SIGTERM reboots (LXC's defaults SIGPWR/SIGINT are systemd's).
    meta: {
      name: 'tiny',
      os: 'busybox',
      includes: [`${LXC_CONF}/common.conf`, `${LXC_CONF}/userns.conf`],
      haltSignal: 'SIGUSR1',
      rebootSignal: 'SIGTERM',
    },
    build: (rootfs) => buildTinyRootfs(rootfs),
  },
  {
    source: { name: 'debian-12', os: 'debian' },
    // 2: host keys on first boot are Ed25519 and ECDSA only.
    version: 2,
    meta: {
      name: 'debian-12',
      os: 'debian',
      includes: [`${LXC_CONF}/debian.common.conf`, `${LXC_CONF}/debian.userns.conf`],
    },
    build: (rootfs, ctx) => buildDebianRootfs(rootfs, join(ctx.cache, 'debs'), ctx.mirror),
  },
];

/** The LXC config files each image's instances include, for the preflight. */
export const IMAGE_INCLUDES = RECIPES.map((r) => ({ image: r.source.name, files: r.meta.includes }));

/** Options of the local image facet. */
export interface LocalImagesOptions {
  imageCache: string;
  idmap: IdMap;
  mirror?: string;
}

/** The image facet plus `resolve`, which the compute facet uses to find a prepared image. */
export interface LocalImages extends ImageDriver {
  /** Finds a prepared image by engine-level name (or our image name); throws when not prepared. */
  resolve(name: string): Promise<PreparedImage>;
}

/** Creates the image facet over a cache directory shared by every engine on the machine. */
export function createLocalImages(opts: LocalImagesOptions): LocalImages {
  const cache = opts.imageCache;
  // The id map is part of the name: a rootfs shifted for one map is wrong for another.
  const engineName = (r: Recipe) => `${r.source.name}-v${r.version}-u${opts.idmap.base}`;
  const recipeOf = (name: string) => {
    const r = RECIPES.find((x) => x.source.name === name || engineName(x) === name);
    if (!r) throw new Error(`unknown image ${name}; known: ${RECIPES.map((x) => x.source.name).join(', ')}`);
    return r;
  };
  const ready = (r: Recipe) => existsSync(join(cache, engineName(r), 'image.json'));

  async function build(r: Recipe): Promise<void> {
    const name = engineName(r);
    // Leftovers of a build killed earlier; we hold the lock, so none of them is still running.
    for (const entry of await readdir(cache)) {
      if (entry.startsWith(`.build-${name}-`)) {
        await unmountUnder(join(cache, entry)); // debootstrap mounts /proc and /sys in its target
        await rm(join(cache, entry), { recursive: true, force: true });
      }
    }
    const staging = join(cache, `.build-${name}-${process.pid}`);
    const started = Date.now();
    await mkdir(join(staging, 'rootfs'), { recursive: true });
    try {
      await r.build(join(staging, 'rootfs'), { cache, mirror: opts.mirror });
    } finally {
      await unmountUnder(staging);
    }
    await shiftOwnership(join(staging, 'rootfs'), opts.idmap);
    await chmod(staging, 0o755); // the guest's root must traverse it to reach the lower dir
    const meta: ImageMeta = { ...r.meta, buildMs: Date.now() - started };
    await writeFile(join(staging, 'image.json'), JSON.stringify(meta, null, 2) + '\n');
    await rename(staging, join(cache, name)); // atomic: the image exists complete or not at all
  }

  return {
    available: () => RECIPES.map((r) => r.source),
    async isReady(name) {
      return ready(recipeOf(name));
    },
    async prepare(name) {
      const r = recipeOf(name);
      if (ready(r)) return engineName(r);
      await mkdir(cache, { recursive: true, mode: 0o755 });
      await withDirLock(join(cache, `.lock-${engineName(r)}`), async () => {
        if (!ready(r)) await build(r); // another process may have built it while we waited
      });
      return engineName(r);
    },
    async resolve(name) {
      const r = recipeOf(name);
      const dir = join(cache, engineName(r));
      if (!ready(r)) throw new Error(`image ${name} is not prepared; call images.prepare first`);
      const meta = JSON.parse(await readFile(join(dir, 'image.json'), 'utf8')) as ImageMeta;
      return { dir, rootfs: join(dir, 'rootfs'), meta };
    },
  };
}
