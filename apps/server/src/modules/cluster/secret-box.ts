/**
 * Secrets at rest (a Proxmox token secret): sealed with AES-256-GCM under a 32-byte key kept in a file outside
 * the store, so a copy of the database (a dump, a PostgreSQL replica) does not give the cluster away.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '../../lib/errors.ts';

/** A key that seals and opens secrets; `context` binds a sealed value to what it belongs to. */
export interface SecretBox {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Reads the key file, making a random key (mode 0600) when there is none yet. */
export function openSecretBox(file: string): SecretBox {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new DomainError('SECRET_KEY_INVALID', { file });
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(context));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      const raw = Buffer.from(sealed.replace(/^v1:/, ''), 'base64');
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAAD(Buffer.from(context));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch {
        throw new DomainError('SECRET_KEY_INVALID', { file });
      }
    },
  };
}
