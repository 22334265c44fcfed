/**
 * A new hostname for an existing instance: in its config (`lxc.uts.name`, what every later start
 * uses), in the guest's /etc/hostname and /etc/hosts, and live in the running guest's UTS namespace.
 */
import { readFile, } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.ts';
import { instancePaths, mountInstanceDisk, writeConfigFile } from './instance-files.ts';
import { lxcInfo } from './lxc.ts';
import { unmountUnder } from './mounts.ts';
import { type IdMap, writeGuestFile } from './rootfs.ts';

const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** /etc/hosts text with the 127.0.1.1 line (Debian's own-name line) naming `hostname`. */
export function withHostsName(hosts: string, hostname: string): string {
  const lines = hosts.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  const line = `127.0.1.1 ${hostname}`;
  const i = lines.findIndex((l) => /^127\.0\.1\.1\s/.test(l));
  if (i >= 0) lines[i] = line;
  else lines.push(line);
  return lines.join('\n') + '\n';
}

/** Sets the instance's hostname, running or stopped; safe to repeat. */
export async function setInstanceHostname(lxcPath: string, id: string, lowerDir: string, hostname: string, idmap: IdMap): Promise<void> {
  // Checked here too: the name goes into the config file and a shell inside the guest.
  if (!HOSTNAME.test(hostname)) throw new Error(`not a valid hostname: ${hostname}`);
  const configFile = join(lxcPath, id, 'config');
  const config = await readFile(configFile, 'utf8');
  await writeConfigFile(configFile, config.replace(/^lxc\.uts\.name\s*=.*$/m, `lxc.uts.name = ${hostname}`));
  if ((await lxcInfo(lxcPath, id))?.state === 'RUNNING') {
    // The guest's own sh and cat, as for the password: every image has them, not every one hostnamectl.
    const attach = async (script: string, input?: string) => {
      const r = await run('lxc-attach', ['-P', lxcPath, '-n', id, '--clear-env', '--', 'sh', '-c', script], input === undefined ? {} : { input });
      return r.stdout;
    };
    const hosts = await attach('cat /etc/hosts 2>/dev/null || true');
    await attach(`echo ${hostname} > /etc/hostname && hostname ${hostname}`);
    // Written over the old file, so its owner and mode stay.
    await attach('cat > /etc/hosts', withHostsName(hosts, hostname));
    return;
  }
  const p = instancePaths(join(lxcPath, id));
  await mountInstanceDisk(p.dir);
  try {
    const hosts = await readFile(join(p.upper, 'etc/hosts'), 'utf8').catch(() => readFile(join(lowerDir, 'etc/hosts'), 'utf8').catch(() => '127.0.0.1 localhost\n'));
    await writeGuestFile(lowerDir, p.upper, 'etc/hostname', `${hostname}\n`, idmap);
    await writeGuestFile(lowerDir, p.upper, 'etc/hosts', withHostsName(hosts, hostname), idmap);
  } finally {
    await unmountUnder(p.mnt);
  }
}
