import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a data dir for this process with a pid file. A file left by a killed process is
 * taken over; one held by a live process is an error, since SQLite has one writer.
 */
export function acquireDataDirLock(dataDir: string): { release(): void } {
  const file = join(dataDir, 'kumulus.pid');
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && alive(pid)) throw new Error(`data dir ${dataDir} is in use by process ${pid}; stop it first`);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock data dir ${dataDir}`);
}
