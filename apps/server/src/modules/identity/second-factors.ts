/**
 * Second factors of an account: a TOTP authenticator (enrolled with a QR code, confirmed by a first code),
 * WebAuthn security keys (webauthn.ts) and ten recovery codes. A code is accepted once: each one belongs to a 30-second step, and only steps later than
 * the last one used count. Too many wrong codes in a row lock the authenticator until a recovery code is used.
 * The seed is sealed with the key outside the store, bound to its user.
 */
import type { RecoveryCodes, TotpSetup, TwoFactorStatus } from '@kumulus/api';
import { type Kysely, sql } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import { type Actor, actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from './principal.ts';
import { reauthenticate } from './reauth.ts';
import { consumeRecoveryCode, issueRecoveryCodes, recoveryCodesLeft } from './recovery-codes.ts';
import { newTotpSecret, totpStep, totpUri } from './totp.ts';
import { createWebauthn, type RelyingParty } from './webauthn.ts';

/** Wrong codes in a row after which the authenticator locks. */
export const TOTP_LOCK_AFTER = 5;

/** Seals and opens secrets with the key kept outside the store (the cluster module's SecretBox). */
export interface Sealer {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Why an account must have a second factor: it is an operator, or its tenant says so. */
export type TwoFactorReason = 'operator' | 'tenant';

/** The reason as a message parameter of TWO_FACTOR_ENROLMENT_REQUIRED. */
export const REASON_TEXT = {
  operator: { en: 'platform operators must sign in with a second factor', de: 'Plattformbetreiber müssen sich mit einem zweiten Faktor anmelden' },
  tenant: { en: 'your tenant requires a second factor', de: 'Ihr Mandant verlangt einen zweiten Faktor' },
  policy: { en: 'to require it of your tenant', de: 'um ihn für Ihren Mandanten zu verlangen' },
};

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  box: () => Sealer;
  /** The issuer shown in authenticator apps. */
  issuer: string;
  /** Operators must have a second factor (true unless the server is told otherwise). */
  requireOperator: boolean;
}

/** A second factor presented at sign-in. */
export interface FactorProof {
  code?: string;
  recoveryCode?: string;
  /** A WebAuthn answer, with the challenge the sign-in handed out and the relying party it was for. */
  webauthn?: { response: Record<string, unknown>; challenge: string | null; rp: RelyingParty };
}

/** TOTP enrolment, recovery codes and checking a presented second factor. */
export function createSecondFactors({ db, clock, ids, audit, box, issuer, requireOperator }: Deps) {
  const context = (userId: string) => `totp:${userId}`;
  const totpEnabled = async (userId: string) =>
    !!(await db.selectFrom('user_totp').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst());
  const webauthn = createWebauthn({ db, clock, ids, audit, hasOtherFactor: totpEnabled });

  /** Why the user must have a second factor, or null when it is up to them. */
  async function requiredFor(user: { role: string; tenant_id: string }): Promise<TwoFactorReason | null> {
    if (user.role === 'operator' && requireOperator) return 'operator';
    const t = await db.selectFrom('tenant_security').select('two_factor_required').where('tenant_id', '=', user.tenant_id).executeTakeFirst();
    return t?.two_factor_required ? 'tenant' : null;
  }

  /** True when the user has a second factor: a confirmed authenticator app or a security key. */
  async function enabled(userId: string): Promise<boolean> {
    return (await totpEnabled(userId)) || (await webauthn.hasKeys(userId));
  }

  async function record(actor: Actor, action: string, userId: string, detail?: Record<string, unknown>) {
    await db.transaction().execute((trx) => audit.record(trx, actor, { action, targetType: 'user', targetId: userId, detail }));
  }

  return {
    requiredFor,
    enabled,
    totpEnabled,
    webauthn,

    /** Where the caller's second factors stand. */
    async status(p: Principal): Promise<TwoFactorStatus> {
      const user = await db.selectFrom('users').select(['role', 'tenant_id']).where('id', '=', p.userId).executeTakeFirstOrThrow();
      const row = await db.selectFrom('user_totp').selectAll().where('user_id', '=', p.userId).executeTakeFirst();
      return {
        totp: row ? { enabled: row.confirmed_at !== null, locked: row.locked_at !== null, createdAt: iso(row.created_at)! } : null,
        securityKeys: (await webauthn.listKeys(p)).length,
        recoveryCodesLeft: await recoveryCodesLeft(db, p.userId),
        required: (await requiredFor(user)) !== null,
      };
    },

    /** Begins enrolling an authenticator (replacing an unconfirmed one); needs the current password. */
    async startTotp(p: Principal, password: string, source: string, requestId: string): Promise<TotpSetup> {
      const user = await reauthenticate(db, clock, p.userId, password, source);
      const secret = newTotpSecret();
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('user_totp').select('confirmed_at').where('user_id', '=', p.userId).executeTakeFirst();
        if (row?.confirmed_at != null) throw new DomainError('TOTP_ALREADY_ENABLED');
        await trx.deleteFrom('user_totp').where('user_id', '=', p.userId).execute();
        await trx.insertInto('user_totp').values({ user_id: p.userId, secret_sealed: box().seal(secret, context(p.userId)), confirmed_at: null, last_step: 0, failures: 0, locked_at: null, created_at: clock() }).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.totp_enrol_started', targetType: 'user', targetId: p.userId });
      });
      return { secret, uri: totpUri(secret, user.email, issuer) };
    },

    /** Turns an enrolment on with its first code; answers the recovery codes, shown this once. */
    async confirmTotp(p: Principal, code: string, requestId: string): Promise<RecoveryCodes> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('user_totp').selectAll().where('user_id', '=', p.userId).executeTakeFirst();
        if (!row || row.confirmed_at !== null) throw new DomainError('TOTP_NOT_PENDING');
        const step = totpStep(box().open(row.secret_sealed, context(p.userId)), code, clock());
        if (step === null) throw new DomainError('TOTP_CODE_INVALID');
        // The confirming code is used: it cannot sign in a moment later.
        await trx.updateTable('user_totp').set({ confirmed_at: clock(), last_step: step }).where('user_id', '=', p.userId).execute();
        // With a security key already, the account has its codes; a second set would void what the user keeps.
        // (Read in the transaction: SQLite has one connection, a query beside the transaction would wait for it.)
        const hasKey = await trx.selectFrom('webauthn_credentials').select('id').where('user_id', '=', p.userId).executeTakeFirst();
        const recoveryCodes = hasKey ? [] : await issueRecoveryCodes(trx, p.userId, clock());
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.totp_enabled', targetType: 'user', targetId: p.userId });
        return { recoveryCodes };
      });
    },

    /** Removes the authenticator and the recovery codes; needs the current password. */
    async removeTotp(p: Principal, password: string, source: string, requestId: string): Promise<void> {
      await reauthenticate(db, clock, p.userId, password, source);
      await db.transaction().execute(async (trx) => {
        const res = await trx.deleteFrom('user_totp').where('user_id', '=', p.userId).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw new DomainError('TOTP_NOT_ENABLED');
        // Recovery codes stand in for the second factors; with none left they go too.
        if (!(await trx.selectFrom('webauthn_credentials').select('id').where('user_id', '=', p.userId).executeTakeFirst())) {
          await trx.deleteFrom('recovery_codes').where('user_id', '=', p.userId).execute();
        }
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.totp_removed', targetType: 'user', targetId: p.userId });
      });
    },

    /** A new set of recovery codes in place of the old; needs the current password and an authenticator. */
    async newRecoveryCodes(p: Principal, password: string, source: string, requestId: string): Promise<RecoveryCodes> {
      await reauthenticate(db, clock, p.userId, password, source);
      if (!(await enabled(p.userId))) throw new DomainError('TOTP_NOT_ENABLED');
      return db.transaction().execute(async (trx) => {
        const recoveryCodes = await issueRecoveryCodes(trx, p.userId, clock());
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.recovery_codes_renewed', targetType: 'user', targetId: p.userId });
        return { recoveryCodes };
      });
    },

    /**
     * Checks a second factor at sign-in. A recovery code is used up and unlocks the authenticator; a TOTP code
     * must be of a step not used before. Failures are written outside any transaction of the caller, so they
     * stay counted when the sign-in fails.
     */
    async verify(userId: string, proof: FactorProof, actor: Actor): Promise<'totp' | 'webauthn' | 'recovery'> {
      const now = clock();
      if (proof.webauthn) {
        const { response, challenge, rp } = proof.webauthn;
        if (challenge && (await webauthn.verifySignIn(userId, challenge, response, rp))) return 'webauthn';
        await record(actor, 'auth.second_factor_failed', userId, { method: 'webauthn' });
        throw new DomainError('SECOND_FACTOR_INVALID');
      }
      const row = await db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
      if (proof.recoveryCode) {
        if (!(await enabled(userId))) throw new DomainError('SECOND_FACTOR_INVALID');
        const used = await db.transaction().execute(async (trx) => {
          if (!(await consumeRecoveryCode(trx, userId, proof.recoveryCode!, now))) return false;
          await trx.updateTable('user_totp').set({ failures: 0, locked_at: null }).where('user_id', '=', userId).execute();
          await audit.record(trx, actor, { action: 'auth.recovery_code_used', targetType: 'user', targetId: userId, detail: { unlocked: row?.locked_at != null } });
          return true;
        });
        if (!used) {
          await record(actor, 'auth.second_factor_failed', userId, { method: 'recovery' });
          throw new DomainError('SECOND_FACTOR_INVALID');
        }
        return 'recovery';
      }
      if (!row) throw new DomainError('SECOND_FACTOR_INVALID');
      if (row.locked_at !== null) throw new DomainError('SECOND_FACTOR_LOCKED');
      const step = totpStep(box().open(row.secret_sealed, context(userId)), proof.code ?? '', now);
      if (step !== null && step > row.last_step) {
        // Conditional on the step, so two requests racing with one code cannot both win.
        const res = await db.updateTable('user_totp').set({ last_step: step, failures: 0 }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) return 'totp';
      }
      const failed = await db
        .updateTable('user_totp')
        .set({ failures: sql`failures + 1` })
        .where('user_id', '=', userId)
        .returning('failures')
        .executeTakeFirstOrThrow();
      const locked = failed.failures >= TOTP_LOCK_AFTER;
      if (locked) await db.updateTable('user_totp').set({ locked_at: now }).where('user_id', '=', userId).where('locked_at', 'is', null).execute();
      await record(actor, locked ? 'auth.totp_locked' : 'auth.second_factor_failed', userId, { method: 'totp', replayed: step !== null });
      throw new DomainError(locked ? 'SECOND_FACTOR_LOCKED' : 'SECOND_FACTOR_INVALID');
    },
  };
}

/** The second-factor service. */
export type SecondFactors = ReturnType<typeof createSecondFactors>;
