/**
 * The backup engine's own files under `<data-dir>/backup`: one key file per tenant (0600, never
 * in the database, so a stolen database dump opens no backup), the SSH key and the pinned host
 * key of each SFTP target, and restic's cache.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupTargetSecrets, BackupTargetSpec } from '../../backup-types.ts';

const NAME = /^[a-z]{3}_[A-Za-z0-9_-]+$/;

/** The engine's files under one root. */
export function createBackupFiles(root: string) {
  if (/\s/.test(root)) throw new Error(`the backup directory ${root} must not contain spaces (restic's sftp.command is split at them)`);
  const checkName = (id: string) => {
    if (!NAME.test(id)) throw new Error(`not an id: ${id}`);
    return id;
  };
  const targetDir = (id: string) => join(root, 'targets', checkName(id));
  const common = (spec: BackupTargetSpec) => {
    const dir = targetDir(spec.id);
    const o = (v: string) => ['-o', v];
    return ['-i', join(dir, 'id'), ...o(`UserKnownHostsFile=${join(dir, 'known_hosts')}`), ...o('StrictHostKeyChecking=yes'), ...o('BatchMode=yes'), ...o('IdentitiesOnly=yes'), ...o('ConnectTimeout=10')];
  };

  return {
    checkName,
    cacheDir: join(root, 'cache'),
    /** The tenant's key file, made with 32 random bytes on first use. */
    async tenantKey(tenantId: string): Promise<string> {
      const file = join(root, 'keys', `${checkName(tenantId)}.key`);
      if (existsSync(file)) return file;
      await mkdir(join(root, 'keys'), { recursive: true, mode: 0o700 });
      // wx: two first backups of a tenant at once must not write two different keys.
      await writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      return file;
    },
    /** Writes an SFTP target's key and host key (0600). */
    async saveTarget(spec: BackupTargetSpec, secrets: BackupTargetSecrets): Promise<void> {
      const dir = targetDir(spec.id);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const key = secrets.privateKey.endsWith('\n') ? secrets.privateKey : `${secrets.privateKey}\n`;
      await writeFile(join(dir, 'id'), key, { mode: 0o600 });
      await chmod(join(dir, 'id'), 0o600);
      const host = spec.port && spec.port !== 22 ? `[${spec.host}]:${spec.port}` : spec.host;
      await writeFile(join(dir, 'known_hosts'), `${host} ${secrets.hostKey.trim()}\n`, { mode: 0o600 });
    },
    removeTarget: (id: string) => rm(targetDir(id), { recursive: true, force: true }),
    hasSecrets: (id: string) => existsSync(join(targetDir(id), 'id')),
    /** ssh arguments that log in to an SFTP target with its key and accept only its pinned host key. */
    sshOptions(spec: BackupTargetSpec): string[] {
      return [...common(spec), '-p', String(spec.port ?? 22), '-l', spec.user ?? 'root', spec.host ?? ''];
    },
    /** The same for the sftp client (which spells the port -P and takes user@host). */
    sftpOptions(spec: BackupTargetSpec): string[] {
      return [...common(spec), '-P', String(spec.port ?? 22), `${spec.user ?? 'root'}@${spec.host ?? ''}`];
    },
    readKey: (tenantId: string) => readFile(join(root, 'keys', `${checkName(tenantId)}.key`), 'utf8'),
  };
}

/** The backup engine's files. */
export type BackupFiles = ReturnType<typeof createBackupFiles>;
