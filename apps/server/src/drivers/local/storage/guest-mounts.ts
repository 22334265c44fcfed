/**
 * Mounts into a running unprivileged container. The guest's root cannot mount a block device
 * (its user namespace forbids it), so the host's root joins only the guest's mount namespace
 * with nsenter, keeps the host's root directory (--root=/), and mounts the device onto the
 * guest path reached through /proc/<pid>/root: the device path is read on the host, while the
 * target lies in the guest's namespace, as mount(2) requires.
 */
import { readFile } from 'node:fs/promises';
import { run } from '../exec.ts';
import { lxcAttach } from '../lxc.ts';

/** True when something is mounted at `path` in the mount namespace of process `pid`. */
export async function guestHasMount(pid: number, path: string): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
  return text.split('\n').some((line) => line.split(' ')[4] === path);
}

/** Mounts `device` at `path` inside the running guest whose init is `pid`, unless it is there. */
export async function guestMount(lxcPath: string, instance: string, pid: number, device: string, path: string): Promise<void> {
  if (await guestHasMount(pid, path)) return;
  // The mount point is made by the guest's own root, so a symlink in the path resolves inside
  // the guest and never on the host.
  const r = await lxcAttach(lxcPath, instance, ['mkdir', '-p', path]);
  if (r.code !== 0) throw new Error(`making ${path} in ${instance} failed: ${r.stderr.trim()}`);
  // -c: libmount must not canonicalize the /proc path, which would resolve it on the host.
  await run('nsenter', ['-t', String(pid), '-m', '--root=/', '--wd=/', '--', 'mount', '-c', '-o', 'noatime', device, `/proc/${pid}/root${path}`]);
}

/** Unmounts `path` inside the running guest; lazily when a guest process keeps it busy. */
export async function guestUnmount(pid: number, path: string): Promise<void> {
  if (!(await guestHasMount(pid, path))) return;
  const target = `/proc/${pid}/root${path}`;
  const ns = ['-t', String(pid), '-m', '--root=/', '--wd=/', '--'];
  const r = await run('nsenter', [...ns, 'umount', '-c', target], { allowFail: true });
  if (r.code !== 0) await run('nsenter', [...ns, 'umount', '-c', '-l', target]);
}
