/**
 * What changes an instance that exists: its CPU and memory limits (in the config and live in
 * its cgroup), its root disk's size, a fresh root filesystem, and root's password.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, statfs, truncate, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { InstanceLimits, InstanceSpec } from '../types.ts';
import { type CgroupVersion, cgroupConfigLines } from './cgroups.ts';
import { renderConfig } from './config.ts';
import { run } from './exec.ts';
import type { PreparedImage } from './images.ts';
import { instancePaths, makeInstance, mountInstanceDisk, removeInstanceDir, setRootHash, writeConfigFile } from './instance-files.ts';
import { lxcInfo } from './lxc.ts';
import { loopsOf, mountsUnder, unmountUnder } from './mounts.ts';
import type { IdMap } from './rootfs.ts';
import { writeGuestFile } from './rootfs.ts';

/** The `lxc.cgroup*.<key>` keys our limits use, so rewriting them leaves other cgroup lines (volume QoS) alone. */
function limitKeys(cgroup: CgroupVersion): Set<string> {
  return new Set(cgroupConfigLines(cgroup, 1, 1).map((l) => l.split('=')[0]!.trim()));
}

/** Sets CPU and memory limits in the config and, when the instance runs, in its cgroup at once. */
export async function applyLimits(lxcPath: string, id: string, cgroup: CgroupVersion, limits: InstanceLimits): Promise<void> {
  const configFile = join(lxcPath, id, 'config');
  const text = await readFile(configFile, 'utf8');
  const keys = limitKeys(cgroup);
  const lines = cgroupConfigLines(cgroup, limits.vcpus, limits.memoryMb);
  const kept = text.split('\n').filter((l) => l !== '' && !keys.has(l.split('=')[0]!.trim()));
  await writeConfigFile(configFile, [...kept, ...lines].join('\n') + '\n');
  if ((await lxcInfo(lxcPath, id))?.state !== 'RUNNING') return;
  // lxc-cgroup writes into the running container's cgroup (v1 or v2 keys alike); no restart.
  for (const line of lines) {
    const [key = '', value = ''] = line.split('=').map((s) => s.trim());
    await run('lxc-cgroup', ['-P', lxcPath, '-n', id, key.replace(/^lxc\.cgroup2?\./, ''), value]);
  }
}

/** Marks a disk whose filesystem still has to grow into its (already larger) image file. */
const growMarker = (dir: string) => join(dir, 'disk.grow');

/**
 * Grows the instance's disk image to `diskGb` (never shrinks) and its ext4 filesystem with it:
 * online when mounted, if the kernel lets us (EXT4_IOC_RESIZE_FS needs CAP_SYS_RESOURCE, which a
 * control plane inside a container may lack); else at the next start, before it is mounted.
 */
export async function growRootDisk(dir: string, diskGb: number): Promise<void> {
  const p = instancePaths(dir);
  if (!existsSync(p.image)) return; // a plan without a disk quota: nothing to grow
  const bytes = Math.round(diskGb * 1024 ** 3);
  if ((await stat(p.image)).size < bytes) {
    await writeFile(growMarker(dir), `${diskGb}\n`);
    await truncate(p.image, bytes);
  }
  if (!existsSync(growMarker(dir))) return;
  if ((await mountsUnder(p.mnt)).includes(p.mnt)) {
    // The loop device keeps its old size until told.
    for (const dev of await loopsOf(p.image)) {
      await run('losetup', ['--set-capacity', dev]);
      const r = await run('resize2fs', [dev], { allowFail: true });
      if (r.code !== 0) return; // left to the next start, offline
    }
    // Only a filesystem seen to have grown clears the marker: a loop device not found, or a
    // resize2fs that answered 0 without growing, leaves the grow to the next start.
    const fs = await statfs(p.mnt);
    if (fs.blocks * fs.bsize < bytes * 0.9) return;
  } else {
    await growOffline(p.image);
  }
  await rm(growMarker(dir), { force: true });
}

/** Grows an unmounted ext4 image to fill its file; resize2fs wants it checked first (exit 1: corrected). */
async function growOffline(image: string): Promise<void> {
  const r = await run('e2fsck', ['-f', '-p', image], { allowFail: true });
  if (r.code > 1) throw new Error(`e2fsck ${image} exited ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`);
  await run('resize2fs', [image]);
}

/** Finishes a grow that could not happen online; called before the disk is mounted for a start. */
export async function finishPendingGrow(dir: string): Promise<void> {
  const p = instancePaths(dir);
  if (!existsSync(growMarker(dir)) || (await mountsUnder(p.mnt)).includes(p.mnt)) return;
  // After a stop, LXC's monitor can hold the guest's mount of the old filesystem a moment longer;
  // its last unmount writes the old superblock back, undoing a grow made meanwhile. Wait for it.
  for (let i = 0; i < 200 && (await loopsOf(p.image)).length > 0; i++) await sleep(50);
  await growOffline(p.image);
  await rm(growMarker(dir), { force: true });
}

/** Config lines other facets added (volume mounts and their throttles), kept across a rebuild. */
function foreignLines(config: string, cgroup: CgroupVersion): string[] {
  const ours = limitKeys(cgroup);
  return config.split('\n').filter((l) => /^lxc\.mount\.entry\s*=/.test(l) || (/^lxc\.cgroup2?\./.test(l) && !ours.has(l.split('=')[0]!.trim())));
}

/**
 * Replaces a stopped instance's root filesystem: a fresh clone is made beside it (a scratch dir
 * the crash sweep removes), then its disk takes the old one's place and the config is rendered
 * again with the lines other facets added. A retry after a crash makes the clone again.
 */
export async function rebuildInstance(lxcPath: string, spec: InstanceSpec, image: PreparedImage, idmap: IdMap, cgroup: CgroupVersion): Promise<void> {
  const dir = join(lxcPath, spec.id);
  const staging = join(lxcPath, `.${spec.id}.creating-${process.pid}`);
  const fresh = join(lxcPath, `.${spec.id}.deleting-${process.pid}`);
  await removeInstanceDir(staging);
  await removeInstanceDir(fresh);
  try {
    await makeInstance(staging, fresh, { spec, image, idmap, cgroup });
  } catch (e) {
    await removeInstanceDir(staging);
    throw e;
  }
  const old = await readFile(join(dir, 'config'), 'utf8');
  const cur = instancePaths(dir);
  const next = instancePaths(fresh);
  await unmountUnder(cur.mnt);
  // Swap disk image and disk dir; the old ones end in `fresh`, which is then removed as trash.
  const swap = async (a: string, b: string) => {
    const tmp = `${a}.swap`;
    if (existsSync(a)) await rename(a, tmp);
    if (existsSync(b)) await rename(b, a);
    if (existsSync(tmp)) await rename(tmp, b);
  };
  await swap(cur.image, next.image);
  await swap(cur.mnt, next.mnt);
  const config = renderConfig({ spec, image: image.meta, lowerDir: image.rootfs, upperDir: cur.upper, idmap, cgroup });
  await writeConfigFile(cur.config, config + foreignLines(old, cgroup).map((l) => `${l}\n`).join(''));
  await removeInstanceDir(fresh);
}

/**
 * Sets root's hash: in a running guest from inside (writing under a live overlay is undefined),
 * in a stopped one in the writable layer, starting from the guest's own shadow either way.
 */
export async function setGuestRootHash(lxcPath: string, id: string, lowerDir: string, hash: string, idmap: IdMap): Promise<void> {
  if (/[:\n]/.test(hash)) throw new Error('password hash must not contain ":" or a newline');
  if ((await lxcInfo(lxcPath, id))?.state === 'RUNNING') {
    // Read and written by the guest's own sh and cat (every image has them, not every one chpasswd).
    const attach = (script: string, input?: string) => run('lxc-attach', ['-P', lxcPath, '-n', id, '--clear-env', '--', 'sh', '-c', script], input === undefined ? {} : { input });
    const shadow = (await attach('cat /etc/shadow')).stdout;
    // Written over the old file, so its owner, group (shadow on Debian) and mode stay.
    await attach('umask 077; cat > /etc/shadow.kumulus && cat /etc/shadow.kumulus > /etc/shadow && rm /etc/shadow.kumulus', setRootHash(shadow, hash));
    return;
  }
  const p = instancePaths(join(lxcPath, id));
  await mountInstanceDisk(p.dir);
  try {
    const shadow = await readFile(join(p.upper, 'etc/shadow'), 'utf8').catch(() => readFile(join(lowerDir, 'etc/shadow'), 'utf8'));
    await writeGuestFile(lowerDir, p.upper, 'etc/shadow', setRootHash(shadow, hash), idmap);
  } finally {
    await unmountUnder(p.mnt);
  }
}

/** The overlay lower dir (the image's rootfs) an instance's config names. */
export function lowerDirOf(config: string): string {
  const m = /^lxc\.rootfs\.path\s*=\s*overlay:([^:\n]+):/m.exec(config);
  if (!m?.[1]) throw new Error('instance config names no overlay rootfs');
  return m[1];
}
