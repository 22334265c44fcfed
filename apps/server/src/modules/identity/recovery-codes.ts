/**
 * Recovery codes: ten single-use codes handed out once when a second factor is enrolled, stored as SHA-256 (they
 * are random with 60 bits each, so a fast hash is enough, as for tokens). Using one also unlocks a locked
 * authenticator, as in Proxmox VE.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { base32 } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import { sha256 } from './secrets.ts';

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;

// Case, spaces and dashes do not matter: people copy them from paper.
const normalize = (code: string) => code.toLowerCase().replace(/[\s-]+/g, '');

/** Replaces the user's recovery codes with a new set; answers the codes, which are stored only hashed. */
export async function issueRecoveryCodes(trx: Kysely<Database>, userId: string, now: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => base32(randomBytes(8)).slice(0, 12).toLowerCase().replace(/(.{4})(?=.)/g, '$1-'));
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ code_hash: sha256(normalize(c)), user_id: userId, created_at: now, used_at: null })))
    .execute();
  return codes;
}

/** Uses up one of the user's recovery codes; false when it is not theirs or was used already. */
export async function consumeRecoveryCode(trx: Kysely<Database>, userId: string, code: string, now: number): Promise<boolean> {
  const res = await trx
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('code_hash', '=', sha256(normalize(code)))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** How many unused codes the user has left. */
export async function recoveryCodesLeft(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}
