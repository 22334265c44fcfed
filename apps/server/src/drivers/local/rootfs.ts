/**
 * File-level helpers for root filesystems of unprivileged containers: shifting ownership into
 * the id map once per image, and writing guest files into an overlay upper dir of a clone.
 */
import { chmod, lchown, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The host range the container's ids 0…size-1 are mapped to (`lxc.idmap`). */
export interface IdMap {
  base: number;
  size: number;
}

/** Adds `map.base` to every uid/gid under `dir` (files still owned by host ids 0…size-1). */
export async function shiftOwnership(dir: string, map: IdMap): Promise<void> {
  const st = await lstat(dir);
  await shiftOne(dir, st.uid, st.gid, st.mode, st.isSymbolicLink(), map);
  if (!st.isDirectory()) return;
  for (const entry of await readdir(dir)) await shiftOwnership(join(dir, entry), map);
}

async function shiftOne(path: string, uid: number, gid: number, mode: number, link: boolean, map: IdMap) {
  if (uid >= map.size || gid >= map.size) return; // already shifted (or unmappable): leave it
  await lchown(path, uid + map.base, gid + map.base);
  // chown(2) clears setuid/setgid bits (su, passwd …), so put the original mode back.
  if (!link && mode & 0o6000) await chmod(path, mode & 0o7777);
}

/** Ownership and mode of a file to write into a guest. */
export interface GuestFileAttrs {
  uid: number;
  gid: number;
  mode: number;
}

/**
 * Creates `rel`'s parent directories in the overlay `upper` dir with the attributes of the same
 * directories in `lower`, as overlayfs copy-up would, so the merged view keeps their owners.
 */
export async function copyUpParents(lower: string, upper: string, rel: string, map: IdMap): Promise<void> {
  const parts = dirname(rel).split('/').filter((p) => p && p !== '.');
  let cur = '';
  for (const part of parts) {
    cur = join(cur, part);
    const target = join(upper, cur);
    const exists = await lstat(target).catch(() => null);
    if (exists) continue;
    const src = await lstat(join(lower, cur)).catch(() => null);
    await mkdir(target);
    const attrs = src ?? { uid: map.base, gid: map.base, mode: 0o755 };
    await lchown(target, attrs.uid, attrs.gid);
    await chmod(target, attrs.mode & 0o7777);
  }
}

/** Writes a file into the clone's upper dir; attributes default to the image's own copy. */
export async function writeGuestFile(
  lower: string,
  upper: string,
  rel: string,
  content: string,
  map: IdMap,
  attrs?: Partial<GuestFileAttrs>,
): Promise<void> {
  await copyUpParents(lower, upper, rel, map);
  const orig = await lstat(join(lower, rel)).catch(() => null);
  const uid = attrs?.uid ?? orig?.uid ?? map.base;
  const gid = attrs?.gid ?? orig?.gid ?? map.base;
  const mode = attrs?.mode ?? (orig ? orig.mode & 0o7777 : 0o644);
  const target = join(upper, rel);
  await writeFile(target, content, { mode });
  await lchown(target, uid, gid);
  await chmod(target, mode); // writeFile's mode is filtered by the umask
}

/** Makes a directory in the clone's upper dir owned by a guest id (e.g. /root/.ssh). */
export async function makeGuestDir(lower: string, upper: string, rel: string, map: IdMap, attrs: GuestFileAttrs) {
  await copyUpParents(lower, upper, join(rel, 'x'), map);
  const target = join(upper, rel);
  await lchown(target, attrs.uid, attrs.gid);
  await chmod(target, attrs.mode);
}
