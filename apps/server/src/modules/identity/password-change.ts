/**
 * Changing one's own password: the current one first (re-authentication), then the new one under the same rules
 * as at creation. Every other session of the account ends, so whoever knew the old password is out.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import { reauthenticate } from './reauth.ts';

/** Sets the caller's new password after checking the current one; ends their other sessions. */
export async function changePassword(
  d: { db: Kysely<Database>; clock: Clock; audit: Audit },
  p: Principal,
  body: { currentPassword: string; newPassword: string },
  source: string,
  requestId: string,
): Promise<void> {
  const user = await reauthenticate(d.db, d.clock, p.userId, body.currentPassword, source);
  assertStrongPassword(body.newPassword, [user.email, user.name]);
  const hash = await hashPassword(body.newPassword);
  await d.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', p.userId).execute();
    let others = trx.deleteFrom('sessions').where('user_id', '=', p.userId);
    if (p.via === 'session') others = others.where('id_hash', '!=', p.credentialId);
    const ended = await others.executeTakeFirst();
    await d.audit.record(trx, actorOf(p, requestId), { action: 'auth.password_changed', targetType: 'user', targetId: p.userId, detail: { sessionsEnded: Number(ended.numDeletedRows) } });
  });
}
