import { createHash, randomBytes } from 'node:crypto';
import { base32 } from '../../lib/ids.ts';

/** SHA-256 hex of a secret; tokens and session ids are stored only in this form. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new random secret with a readable prefix (`kmt_` tokens, `kms_` sessions, `kmc_` sign-in challenges). */
export function newSecret(prefix: 'kmt' | 'kms' | 'kmc'): string {
  return `${prefix}_${base32(randomBytes(30))}`;
}
