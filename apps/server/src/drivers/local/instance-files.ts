/**
 * The on-disk shape of one instance under lxcPath, and how it is made: a directory holding
 * the LXC config, the disk image and the overlay's writable layer with the guest's identity.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceSpec } from '../types.ts';
import type { CgroupVersion } from './cgroups.ts';
import { renderConfig } from './config.ts';
import { createDiskImage, mountDiskImage } from './disk.ts';
import { sparseCopy } from './storage/snapshot-files.ts';
import type { PreparedImage } from './images.ts';
import { detachLoops, unmountUnder } from './mounts.ts';
import { guestResolvConf, withNetworkDns } from './resolv.ts';
import { type IdMap, makeGuestDir, writeGuestFile } from './rootfs.ts';

/** Paths of one instance's files; `mnt` is where its disk image is mounted. */
export function instancePaths(dir: string) {
  const mnt = join(dir, 'disk');
  return { dir, config: join(dir, 'config'), image: join(dir, 'disk.img'), mnt, upper: join(mnt, 'delta') };
}

let writes = 0;
/**
 * Replaces an instance's config (a container's LXC config, a VM's JSON) whole: written beside it
 * and renamed over it, so a reader (the engine's look at every instance, lxc-start) never sees it
 * cut short, nor does the next process after a kill -9 halfway.
 */
export async function writeConfigFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.new-${process.pid}-${++writes}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Context for making an instance's files. */
export interface MakeInstanceInput {
  spec: InstanceSpec;
  image: PreparedImage;
  idmap: IdMap;
  cgroup: CgroupVersion;
  /** A disk image to start from (a server snapshot's file), copied instead of a fresh disk. */
  fromDisk?: string;
}

/**
 * Builds the instance in `staging` and renames it to `finalDir`, so a process killed halfway
 * leaves only a staging dir (removed by the next attempt), never a half container.
 */
export async function makeInstance(staging: string, finalDir: string, input: MakeInstanceInput): Promise<void> {
  const { spec, image, idmap } = input;
  const s = instancePaths(staging);
  await mkdir(staging, { mode: 0o711 });
  await chmod(staging, 0o711); // the guest's root (an unprivileged host uid) must traverse it
  if (input.fromDisk) {
    await cloneDisk(input.fromDisk, s, spec, image.rootfs, idmap);
    await finish(staging, finalDir, input);
    return;
  }
  // Overlay needs upper and work on one filesystem, created by the guest's root owner:
  // LXC mounts the overlay from inside the user namespace.
  for (const d of [s.mnt, s.upper, join(s.mnt, 'work')]) {
    await mkdir(d, { recursive: true });
    await chown(d, idmap.base, idmap.base);
  }
  await writeIdentity(image.rootfs, s.upper, spec, idmap);
  if (spec.diskGb > 0) {
    // mkfs copies the prepared layer into the new filesystem, so create never mounts
    // anything: a mount child orphaned by a SIGKILL could finish after our cleanup ran.
    await createDiskImage(s.image, spec.diskGb, idmap, s.mnt);
    await rm(s.mnt, { recursive: true });
    await mkdir(s.mnt);
  }
  await finish(staging, finalDir, input);
}

/** Writes the config of the instance in `staging` and renames it to `finalDir`. */
async function finish(staging: string, finalDir: string, input: MakeInstanceInput): Promise<void> {
  const f = instancePaths(finalDir);
  const config = renderConfig({ ...input, image: input.image.meta, lowerDir: input.image.rootfs, upperDir: f.upper });
  await writeFile(instancePaths(staging).config, config);
  await rename(staging, finalDir);
}

/** What a guest's first boot makes its own, removed from a clone so the new server makes its own. */
const MACHINE_IDENTITY = ['etc/machine-id', 'var/lib/dbus/machine-id', 'var/lib/systemd/random-seed'];

/**
 * A clone's disk: the snapshot's image copied (sharing extents where the filesystem can), then
 * mounted once under the staging dir to give it this instance's identity — hostname, name servers,
 * keys, a root password when one is set — and to drop what the source's boot made its own (machine
 * id, SSH host keys), so the clone makes new ones. A kill halfway leaves only the staging dir, whose
 * sweep unmounts and removes it.
 */
async function cloneDisk(from: string, s: ReturnType<typeof instancePaths>, spec: InstanceSpec, lower: string, idmap: IdMap): Promise<void> {
  await sparseCopy(from, s.image);
  await mkdir(s.mnt);
  await mountDiskImage(s.image, s.mnt);
  try {
    for (const rel of MACHINE_IDENTITY) await rm(join(s.upper, rel), { force: true });
    const ssh = join(s.upper, 'etc/ssh');
    for (const e of existsSync(ssh) ? await readdir(ssh) : []) if (e.startsWith('ssh_host_')) await rm(join(ssh, e), { force: true });
    await writeIdentity(lower, s.upper, spec, idmap);
  } finally {
    await unmountUnder(s.mnt);
    await detachLoops(s.image, 3000);
  }
}

/** Writes hostname, name servers, root password hash and SSH keys into the clone's writable layer. */
async function writeIdentity(lower: string, upper: string, spec: InstanceSpec, map: IdMap): Promise<void> {
  await writeGuestFile(lower, upper, 'etc/hostname', spec.hostname + '\n', map);
  await writeGuestFile(lower, upper, 'etc/resolv.conf', withNetworkDns(await guestResolvConf(), spec.dns), map);
  const hosts = await readFile(join(lower, 'etc/hosts'), 'utf8').catch(() => '127.0.0.1 localhost\n');
  await writeGuestFile(lower, upper, 'etc/hosts', hosts + `127.0.1.1 ${spec.hostname}\n`, map);
  if (spec.rootPasswordHash) {
    // The guest's own shadow where it has one (a clone's users), else the image's.
    const shadow = await readFile(join(upper, 'etc/shadow'), 'utf8').catch(() => readFile(join(lower, 'etc/shadow'), 'utf8'));
    await writeGuestFile(lower, upper, 'etc/shadow', setRootHash(shadow, spec.rootPasswordHash), map);
  }
  if (spec.sshKeys.length > 0) {
    const root = { uid: map.base, gid: map.base };
    await makeGuestDir(lower, upper, 'root/.ssh', map, { ...root, mode: 0o700 });
    const keys = spec.sshKeys.map((k) => k.trim()).join('\n') + '\n';
    await writeGuestFile(lower, upper, 'root/.ssh/authorized_keys', keys, map, { ...root, mode: 0o600 });
  }
}

/** Replaces root's hash in shadow(5) text, adding a root line when there is none. */
export function setRootHash(shadow: string, hash: string): string {
  if (/[:\n]/.test(hash)) throw new Error('password hash must not contain ":" or a newline');
  const lines = shadow.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  const i = lines.findIndex((l) => l.startsWith('root:'));
  const fields = (i >= 0 ? lines[i]! : 'root::19000:0:99999:7:::').split(':');
  fields[1] = hash;
  fields[2] = String(Math.floor(Date.now() / 86_400_000)); // last change: today, in days
  if (i >= 0) lines[i] = fields.join(':');
  else lines.unshift(fields.join(':'));
  return lines.join('\n') + '\n';
}

/** Removes an instance directory with whatever a killed process left mounted or attached. */
export async function removeInstanceDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await unmountUnder(dir); // first: rm -r must never walk into a mounted filesystem
  await detachLoops(instancePaths(dir).image);
  await rm(dir, { recursive: true, force: true });
}

/** Makes sure the instance's disk image (if it has one) is mounted before LXC starts it. */
export async function mountInstanceDisk(dir: string): Promise<void> {
  const p = instancePaths(dir);
  if (existsSync(p.image)) await mountDiskImage(p.image, p.mnt);
}
