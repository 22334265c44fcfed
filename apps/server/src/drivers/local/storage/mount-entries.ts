/**
 * Volume attachments as lines of an instance's LXC config: a bind mount from the volume's host
 * mount point into the guest. The config is where an attachment lives, so it survives stop and
 * start, and what is attached is read back from the configs themselves (no record of ours).
 */
import { join } from 'node:path';

/** One volume mount found in a config. */
export interface MountEntry {
  volume: string;
  /** Absolute path inside the guest. */
  path: string;
}

/** A path a tenant may mount a volume at: absolute, plain segments, not in the kernel's trees. */
export const GUEST_PATH = /^(?:\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){1,8}$/;
const RESERVED = new Set(['proc', 'sys', 'dev', 'run']);

/** Throws unless `path` is a guest path a volume may be mounted at. */
export function checkGuestPath(path: string): string {
  const first = path.split('/')[1] ?? '';
  if (!GUEST_PATH.test(path) || path.split('/').some((s) => s === '..' || s === '.') || RESERVED.has(first)) {
    throw new Error(`not a path a volume can be mounted at: ${path}`);
  }
  return path;
}

/** The config line that mounts `volume` (mounted on the host under `mountRoot`) at `path`. */
export function entryLine(mountRoot: string, e: MountEntry): string {
  // create=dir makes the mount point in the guest; the guest path is relative to its rootfs.
  return `lxc.mount.entry = ${join(mountRoot, e.volume)} ${checkGuestPath(e.path).slice(1)} none bind,create=dir 0 0`;
}

/** The volume mounts in a config's text, for volumes mounted under `mountRoot`. */
export function entriesOf(config: string, mountRoot: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const m of config.matchAll(/^lxc\.mount\.entry\s*=\s*(\S+)\s+(\S+)\s/gm)) {
    const [, source = '', target = ''] = m;
    if (source.startsWith(mountRoot + '/')) out.push({ volume: source.slice(mountRoot.length + 1), path: '/' + target });
  }
  return out;
}

/** The config's text without the mount line of `volume`. */
export function withoutEntry(config: string, mountRoot: string, volume: string): string {
  const source = join(mountRoot, volume);
  return config
    .split('\n')
    .filter((l) => !new RegExp(`^lxc\\.mount\\.entry\\s*=\\s*${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`).test(l))
    .join('\n');
}
