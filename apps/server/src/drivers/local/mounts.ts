/**
 * Host mounts and loop devices we make under a directory, found from the kernel's own tables
 * so that cleanup works after a SIGKILL left them behind without any record of ours.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './exec.ts';

/** Mount points at or below `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`; lazily when a busy mount would otherwise stay. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    const r = await run('umount', [point], { allowFail: true });
    if (r.code !== 0) await run('umount', ['-l', point], { allowFail: true });
  }
}

/**
 * Loop devices backed by `file`, read from sysfs as `losetup -j` reads it, without a process:
 * every start and QoS change asks for its disk's device.
 */
export async function loopsOf(file: string): Promise<string[]> {
  const path = await realpath(file).catch(() => null);
  if (!path) return [];
  const out: string[] = [];
  for (const dev of await readdir('/sys/block').catch(() => [] as string[])) {
    if (!dev.startsWith('loop')) continue;
    const backing = await readFile(`/sys/block/${dev}/loop/backing_file`, 'utf8').catch(() => null);
    if (backing?.trim() === path) out.push(`/dev/${dev}`);
  }
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Waits for the loop devices of `file` to go away, then detaches any left. After a guest
 * stops, LXC's monitor keeps the guest's mount namespace (with its copy of the disk mount)
 * open for the post-stop hooks, so autoclear can lag our unmount by a moment.
 */
export async function detachLoops(file: string, waitMs = 3000): Promise<void> {
  const deadline = Date.now() + waitMs;
  let loops = await loopsOf(file);
  while (loops.length > 0 && Date.now() < deadline) {
    await sleep(50);
    loops = await loopsOf(file);
  }
  for (const dev of loops) await run('losetup', ['-d', dev], { allowFail: true });
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
