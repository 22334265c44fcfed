/**
 * Signing in, in two steps when the account has a second factor: the password step checks e-mail and password
 * (with the lockout) and, for such an account, answers a short-lived challenge instead of a session; the second
 * step presents the challenge with a TOTP or recovery code. A challenge is single-use and dies after a few wrong
 * codes, so guessing goes back through the password and its lockout.
 */
import type { Me, SecondFactorChallenge, SecondFactorLogin } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Database, UsersTable } from '../../store/schema.ts';
import type { Actor, Audit } from '../audit/service.ts';
import { assertNotLocked, clearFailures, recordFailure } from './lockout.ts';
import { verifyPassword } from './passwords.ts';
import type { SecondFactors } from './second-factors.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { RelyingParty } from './webauthn.ts';

/** How long a session lives without use. */
export const SESSION_MS = 12 * 3600_000;
/** How long the second step of a sign-in may take. */
const CHALLENGE_MS = 5 * 60_000;
/** Wrong codes one challenge takes before it is void. */
const CHALLENGE_TRIES = 5;
// A hash no password can match, for accounts that sign in by token only; verifying against it
// still costs a full argon2 run, so unknown e-mails take as long as wrong passwords.
const NO_PASSWORD = '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A session opened by a sign-in: the cookie's secret and its lifetime. */
export interface OpenedSession {
  session: string;
  me: Me;
  maxAgeSeconds: number;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  factors: SecondFactors;
  meOf: (user: UsersTable, via: 'session') => Promise<Me>;
}

/** The password step and the second-factor step of signing in. */
export function createSignIn({ db, clock, audit, factors, meOf }: Deps) {
  async function openSession(user: UsersTable, source: string, requestId: string, method: string): Promise<OpenedSession> {
    const session = newSecret('kms');
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('sessions').values({ id_hash: sha256(session), user_id: user.id, created_at: clock(), expires_at: clock() + SESSION_MS }).execute();
      await audit.record(trx, { tenantId: user.tenant_id, userId: user.id, requestId }, { action: 'auth.login', targetType: 'user', targetId: user.id, detail: { source, method } });
    });
    return { session, me: await meOf(user, 'session'), maxAgeSeconds: SESSION_MS / 1000 };
  }

  return {
    NO_PASSWORD,

    /** Checks e-mail and password with lockout; answers a session, or the challenge of the second step. */
    async login(email: string, password: string, source: string, requestId: string, rp: RelyingParty): Promise<OpenedSession | SecondFactorChallenge> {
      await assertNotLocked(db, clock, email, source);
      const user = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
      const ok = await verifyPassword(password, user?.password_hash ?? NO_PASSWORD);
      if (!user || !ok) {
        await recordFailure(db, clock, email, source);
        await db.transaction().execute((trx) =>
          audit.record(trx, { tenantId: user?.tenant_id ?? null, userId: null, requestId }, {
            action: 'auth.login_failed',
            targetType: 'user',
            targetId: email.toLowerCase(),
            detail: { source },
          }),
        );
        throw new DomainError('INVALID_CREDENTIALS');
      }
      await clearFailures(db, email);
      if (!(await factors.enabled(user.id))) return openSession(user, source, requestId, 'password');
      const challenge = newSecret('kmc');
      const now = clock();
      const webauthn = await factors.webauthn.signInOptions(user.id, rp);
      const methods: SecondFactorChallenge['secondFactor']['methods'] = [];
      if (await factors.totpEnabled(user.id)) methods.push('totp');
      if (webauthn) methods.push('webauthn');
      methods.push('recovery');
      await db.transaction().execute(async (trx) => {
        // Challenges of this user that were never finished are void now.
        await trx.deleteFrom('login_challenges').where((eb) => eb.or([eb('user_id', '=', user.id), eb('expires_at', '<=', now)])).execute();
        await trx.insertInto('login_challenges').values({ id_hash: sha256(challenge), user_id: user.id, source, failures: 0, webauthn_challenge: webauthn ? String(webauthn.challenge) : null, created_at: now, expires_at: now + CHALLENGE_MS }).execute();
        await audit.record(trx, { tenantId: user.tenant_id, userId: user.id, requestId }, { action: 'auth.password_ok', targetType: 'user', targetId: user.id, detail: { source } });
      });
      return { secondFactor: { challenge, methods, expiresAt: iso(now + CHALLENGE_MS)!, ...(webauthn ? { webauthn } : {}) } };
    },

    /** The second step: a challenge of the password step with a TOTP code, a key's answer or a recovery code. */
    async secondFactor(body: SecondFactorLogin, source: string, requestId: string, rp: RelyingParty): Promise<OpenedSession> {
      const idHash = sha256(body.challenge);
      const row = await db.selectFrom('login_challenges').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', clock()).executeTakeFirst();
      if (!row) throw new DomainError('SIGN_IN_CHALLENGE_INVALID');
      const user = await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirstOrThrow();
      const actor: Actor = { tenantId: user.tenant_id, userId: user.id, requestId };
      let method: 'totp' | 'webauthn' | 'recovery';
      const webauthn = body.webauthn ? { response: body.webauthn, challenge: row.webauthn_challenge, rp } : undefined;
      try {
        method = await factors.verify(user.id, { code: body.code, recoveryCode: body.recoveryCode, webauthn }, actor);
      } catch (err) {
        const failures = row.failures + 1;
        if (failures >= CHALLENGE_TRIES) await db.deleteFrom('login_challenges').where('id_hash', '=', idHash).execute();
        else await db.updateTable('login_challenges').set({ failures }).where('id_hash', '=', idHash).execute();
        throw err;
      }
      // Single use: whoever won the delete opens the session.
      const res = await db.deleteFrom('login_challenges').where('id_hash', '=', idHash).executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) throw new DomainError('SIGN_IN_CHALLENGE_INVALID');
      return openSession(user, source, requestId, method);
    },
  };
}

/** The sign-in service. */
export type SignIn = ReturnType<typeof createSignIn>;
