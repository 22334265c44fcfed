/**
 * WebAuthn security keys and passkeys as a second factor, by @simplewebauthn/server. Registering one takes the
 * current password; its challenge waits 5 minutes in the store. At sign-in the password step hands out the
 * authentication options with the challenge stored on the sign-in's own challenge row. The relying party is the
 * host the dashboard was reached at: the browser signs its own origin, which must be that one.
 */
import type { KeyRegistered, KeyRegistrationOptions, SecurityKey } from '@kumulus/api';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { WebauthnCredentialsTable } from '../../store/schema-security.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from './principal.ts';
import { reauthenticate } from './reauth.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';

/** The relying party of a request: the host name the browser reached us at and its origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

const REGISTRATION_MS = 5 * 60_000;
const toKey = (r: WebauthnCredentialsTable): SecurityKey => ({ id: r.id, name: r.name, createdAt: iso(r.created_at)!, lastUsedAt: iso(r.last_used_at) });
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Security keys: registration, listing, removal, and the sign-in's options and check. */
export function createWebauthn({ db, clock, ids, audit, hasOtherFactor }: { db: Kysely<Database>; clock: Clock; ids: IdGenerator; audit: Audit; hasOtherFactor: (userId: string) => Promise<boolean> }) {
  const keysOf = (userId: string) => db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();

  return {
    /** The caller's keys. */
    async listKeys(p: Principal): Promise<SecurityKey[]> {
      return (await keysOf(p.userId)).map(toKey);
    },

    /** Begins registering a key (current password needed); answers the options for navigator.credentials.create. */
    async startRegistration(p: Principal, password: string, rp: RelyingParty, source: string): Promise<KeyRegistrationOptions> {
      const user = await reauthenticate(db, clock, p.userId, password, source);
      const options = await generateRegistrationOptions({
        rpName: 'Kumulus',
        rpID: rp.id,
        userName: user.email,
        userDisplayName: user.name,
        userID: new TextEncoder().encode(user.id),
        attestationType: 'none',
        // A key already registered is not registered twice.
        excludeCredentials: (await keysOf(user.id)).map((k) => ({ id: k.key_id, transports: JSON.parse(k.transports) as string[] })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      const row = { user_id: user.id, challenge: options.challenge, expires_at: clock() + REGISTRATION_MS };
      await db.insertInto('webauthn_registrations').values(row).onConflict((oc) => oc.column('user_id').doUpdateSet({ challenge: row.challenge, expires_at: row.expires_at })).execute();
      return { options: options as unknown as Record<string, unknown> };
    },

    /** Verifies the browser's answer and stores the key; the account's first second factor also gets recovery codes. */
    async finishRegistration(p: Principal, body: { name: string; response: Record<string, unknown> }, rp: RelyingParty, requestId: string): Promise<KeyRegistered> {
      const pending = await db.selectFrom('webauthn_registrations').selectAll().where('user_id', '=', p.userId).where('expires_at', '>', clock()).executeTakeFirst();
      if (!pending) throw new DomainError('WEBAUTHN_NOT_PENDING');
      let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        info = await verifyRegistrationResponse({
          response: body.response as unknown as RegistrationResponseJSON,
          expectedChallenge: pending.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch (err) {
        throw new DomainError('WEBAUTHN_REJECTED', { reason: reasonOf(err) });
      }
      if (!info.verified) throw new DomainError('WEBAUTHN_REJECTED', { reason: 'not verified' });
      const { credential } = info.registrationInfo;
      const first = !(await hasOtherFactor(p.userId)) && (await keysOf(p.userId)).length === 0;
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webauthn_registrations').where('user_id', '=', p.userId).execute();
        const row: WebauthnCredentialsTable = {
          id: ids('wak'),
          key_id: credential.id,
          user_id: p.userId,
          name: body.name,
          public_key: Buffer.from(credential.publicKey).toString('base64url'),
          counter: credential.counter,
          transports: JSON.stringify(credential.transports ?? []),
          created_at: clock(),
          last_used_at: null,
        };
        if (await trx.selectFrom('webauthn_credentials').select('id').where('key_id', '=', credential.id).executeTakeFirst()) {
          throw new DomainError('WEBAUTHN_REJECTED', { reason: 'this key is registered already' });
        }
        await trx.insertInto('webauthn_credentials').values(row).execute();
        const recoveryCodes = first ? await issueRecoveryCodes(trx, p.userId, clock()) : null;
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.security_key_added', targetType: 'user', targetId: p.userId, detail: { key: row.id, name: row.name } });
        return { key: toKey(row), recoveryCodes };
      });
    },

    /** Removes one of the caller's keys (current password needed). */
    async removeKey(p: Principal, id: string, password: string, source: string, requestId: string): Promise<void> {
      await reauthenticate(db, clock, p.userId, password, source);
      await db.transaction().execute(async (trx) => {
        const res = await trx.deleteFrom('webauthn_credentials').where('id', '=', id).where('user_id', '=', p.userId).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw new DomainError('NOT_FOUND', { kind: 'security-key', id });
        // Recovery codes stand in for the second factors; with none left they go too.
        const keyLeft = await trx.selectFrom('webauthn_credentials').select('id').where('user_id', '=', p.userId).executeTakeFirst();
        const appLeft = await trx.selectFrom('user_totp').select('user_id').where('user_id', '=', p.userId).where('confirmed_at', 'is not', null).executeTakeFirst();
        if (!keyLeft && !appLeft) await trx.deleteFrom('recovery_codes').where('user_id', '=', p.userId).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'auth.security_key_removed', targetType: 'user', targetId: p.userId, detail: { key: id } });
      });
    },

    /** True when the user has a key. */
    async hasKeys(userId: string): Promise<boolean> {
      return !!(await db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', userId).executeTakeFirst());
    },

    /** The authentication options for a sign-in of the user, or null without keys. */
    async signInOptions(userId: string, rp: RelyingParty): Promise<Record<string, unknown> | null> {
      const keys = await keysOf(userId);
      if (keys.length === 0) return null;
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: keys.map((k) => ({ id: k.key_id, transports: JSON.parse(k.transports) as string[] })),
        userVerification: 'preferred',
      });
      return options as unknown as Record<string, unknown>;
    },

    /** Checks a sign-in answer against the challenge handed out; advances the key's counter. False when it fails. */
    async verifySignIn(userId: string, expectedChallenge: string, response: Record<string, unknown>, rp: RelyingParty): Promise<boolean> {
      const answer = response as unknown as AuthenticationResponseJSON;
      const key = await db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).where('key_id', '=', String(answer.id)).executeTakeFirst();
      if (!key) return false;
      try {
        const result = await verifyAuthenticationResponse({
          response: answer,
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: { id: key.key_id, publicKey: new Uint8Array(Buffer.from(key.public_key, 'base64url')), counter: Number(key.counter), transports: JSON.parse(key.transports) as string[] },
          requireUserVerification: false,
        });
        if (!result.verified) return false;
        await db.updateTable('webauthn_credentials').set({ counter: result.authenticationInfo.newCounter, last_used_at: clock() }).where('id', '=', key.id).execute();
        return true;
      } catch {
        // A forged, replayed or cloned answer (signature, challenge, origin or counter wrong) is a wrong second factor.
        return false;
      }
    },
  };
}

/** The security-key service. */
export type Webauthn = ReturnType<typeof createWebauthn>;
