/**
 * Re-authentication: changes to how an account signs in (its password, its second factors) carry the current
 * password, so a session left open on someone's desk, or a stolen token, cannot take the account over. Wrong
 * passwords count toward the same lockout as sign-ins.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Database, UsersTable } from '../../store/schema.ts';
import { assertNotLocked, recordFailure } from './lockout.ts';
import { verifyPassword } from './passwords.ts';

/** Answers the user when `password` is theirs; throws REAUTH_FAILED (or ACCOUNT_LOCKED) otherwise. */
export async function reauthenticate(db: Kysely<Database>, clock: Clock, userId: string, password: string, source: string): Promise<UsersTable> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  await assertNotLocked(db, clock, user.email, source);
  if (!(await verifyPassword(password, user.password_hash))) {
    await recordFailure(db, clock, user.email, source);
    throw new DomainError('REAUTH_FAILED');
  }
  return user;
}
