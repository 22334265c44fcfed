/**
 * A lock between processes on one machine: a directory made with mkdir (atomic) holding the
 * owner's PID, taken over when that process is gone (it was killed while holding it).
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when a process with that PID exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` while holding the lock directory `dir`; waits while a live process holds it. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
      // No pid file: a holder between mkdir and writeFile, or one killed right there.
      const age = Date.now() - ((await stat(dir).catch(() => null))?.mtimeMs ?? Date.now());
      if ((pid > 0 && !pidAlive(pid)) || (pid === 0 && age > 10_000)) {
        await rm(dir, { recursive: true, force: true });
      } else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
