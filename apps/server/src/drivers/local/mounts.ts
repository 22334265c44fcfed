/**
 * Host mounts and loop devices we make under a directory, found from the kernel's own tables
 * so that cleanup works after a SIGKILL left them behind without any record of ours.
 */
import { readFile } from 'node:fs/promises';
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

/** Detaches loop devices still backed by `file` (a loop without autoclear survives umount). */
export async function detachLoops(file: string): Promise<void> {
  const r = await run('losetup', ['-j', file, '-O', 'NAME', '-n'], { allowFail: true });
  for (const dev of r.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
    await run('losetup', ['-d', dev], { allowFail: true });
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
