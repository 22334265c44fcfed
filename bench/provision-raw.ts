/**
 * Baseline for the provisioning benchmark: create→running of a container made with raw lxc-*
 * and host commands, cloned from the same prepared image the local engine uses and in the same
 * way (overlay on the image, writable layer on a sparse ext4 of diskGb), minus the driver.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalImages, type PreparedImage } from '../apps/server/src/drivers/local/images.ts';

const sh = promisify(execFile);
const MAP = { base: 100_000, size: 65_536 };

/** Options: a bridge to plug a veth into (none: no NIC), the disk size and the image cache. */
export interface RawOptions {
  bridge?: string;
  diskGb?: number;
  imageCache?: string;
}

/** Measures create→running `n` times for `image` with raw commands; durations in ms. */
export async function rawCreateToRunning(image: string, n: number, opts: RawOptions = {}): Promise<number[]> {
  const images = createLocalImages({ imageCache: opts.imageCache ?? '/var/cache/kumulus/images', idmap: MAP });
  await images.prepare(image);
  const img = await images.resolve(image);
  const root = await mkdtemp(join(tmpdir(), 'kumulus-raw-'));
  await chmod(root, 0o755);
  const lxcPath = join(root, 'lxc');
  await mkdir(lxcPath, { mode: 0o711 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = `srv_raw${randomBytes(4).toString('hex')}`;
      const t0 = performance.now();
      await createRaw(lxcPath, name, img, i, opts);
      await sh('lxc-start', ['-P', lxcPath, '-n', name, '-d']);
      out.push(performance.now() - t0);
      await sh('lxc-stop', ['-P', lxcPath, '-n', name, '-k']);
      await sh('umount', [join(lxcPath, name, 'disk')]).catch(() => {});
    }
  } finally {
    await sh('umount', ['-R', root]).catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
  return out;
}

async function createRaw(lxcPath: string, name: string, img: PreparedImage, i: number, opts: RawOptions) {
  const dir = join(lxcPath, name);
  const layer = join(dir, 'layer');
  await mkdir(dir, { mode: 0o711 });
  for (const d of [layer, join(layer, 'delta'), join(layer, 'work')]) {
    await mkdir(d);
    await chown(d, MAP.base, MAP.base);
  }
  const file = join(dir, 'disk.img');
  await sh('truncate', ['-s', `${opts.diskGb ?? 1}G`, file]);
  await sh('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', '-d', layer, file]);
  await mkdir(join(dir, 'disk'));
  await sh('mount', ['-o', 'loop,noatime', file, join(dir, 'disk')]);
  const m = img.meta;
  const net = opts.bridge
    ? [
        'lxc.net.0.type = veth',
        `lxc.net.0.link = ${opts.bridge}`,
        'lxc.net.0.flags = up',
        `lxc.net.0.ipv4.address = 10.242.${(i >> 8) & 255}.${(i & 255) + 2}/16 10.242.255.255`,
      ]
    : ['lxc.net.0.type = empty'];
  const config = [
    ...m.includes.map((f) => `lxc.include = ${f}`),
    `lxc.uts.name = ${name}`,
    `lxc.idmap = u 0 ${MAP.base} ${MAP.size}`,
    `lxc.idmap = g 0 ${MAP.base} ${MAP.size}`,
    `lxc.rootfs.path = overlay:${img.rootfs}:${join(dir, 'disk', 'delta')}`,
    'lxc.hook.post-stop =',
    ...(m.haltSignal ? [`lxc.signal.halt = ${m.haltSignal}`] : []),
    ...net,
  ];
  await writeFile(join(dir, 'config'), config.join('\n') + '\n');
}

if (import.meta.main) {
  const image = process.argv[2] ?? 'tiny';
  const n = Number(process.argv[3] ?? 20);
  const ms = (await rawCreateToRunning(image, n, { bridge: process.argv[4] })).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(0);
  console.log(`raw lxc create→running, image ${image}, n=${n}: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms`);
}
