import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totpCode } from '../../src/modules/identity/totp.ts';
import { describeEachStore, raw } from '../stores.ts';

// The server's clock runs ahead of the wall clock by `offset`, so a test can move to the next 30-second step of
// its authenticator at once instead of waiting for it.
let offset = 0;
const clock = () => Date.now() + offset;
const nextStep = () => {
  offset += 30_000;
};

type Answer = Awaited<ReturnType<typeof raw>>;

function cookieOf(res: Answer): string {
  const set = res.headers.get('set-cookie');
  assert.ok(set, 'a session cookie is set');
  return set.split(';')[0]!;
}

describeEachStore(
  'second factors API',
  (get) => {
    const login = (email: string, password: string) => raw(get().url, 'POST', '/auth/login', { body: JSON.stringify({ email, password }) });
    const second = (challenge: string, proof: { code?: string; recoveryCode?: string }) =>
      raw(get().url, 'POST', '/auth/login/second-factor', { body: JSON.stringify({ challenge, ...proof }) });
    const as = (cookie: string, method: string, path: string, body?: unknown) =>
      raw(get().url, method, path, { headers: { cookie, origin: get().url }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

    const email = 'ann@twofa.test';
    const password = 'Ann-Password-4242';
    let secret = '';
    let recovery: string[] = [];
    let tenantId = '';

    test('enrolment needs the password, a QR URI and a first code; answers 10 recovery codes; the seed is sealed', async () => {
      const { client, running } = get();
      tenantId = (await client.createTenant({ name: 'twofa', admin: { email, password } })).id;
      const signedIn = await login(email, password);
      assert.equal(signedIn.status, 200);
      assert.deepEqual(signedIn.body.twoFactor, { enabled: false, required: false, mustEnrol: false });
      const cookie = cookieOf(signedIn);
      const wrong = await as(cookie, 'POST', '/auth/2fa/totp', { password: 'not-my-password' });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.error.code, 'REAUTH_FAILED');
      const early = await as(cookie, 'POST', '/auth/2fa/totp/confirm', { code: '123456' });
      assert.equal(early.body.error.code, 'TOTP_NOT_PENDING');
      const setup = await as(cookie, 'POST', '/auth/2fa/totp', { password });
      assert.equal(setup.status, 201);
      secret = setup.body.secret;
      const uri = new URL(setup.body.uri);
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.searchParams.get('secret'), secret);
      assert.equal(uri.searchParams.get('issuer'), 'Kumulus');
      const bad = await as(cookie, 'POST', '/auth/2fa/totp/confirm', { code: totpCode(secret, clock() - 120_000) });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.code, 'TOTP_CODE_INVALID');
      const confirmed = await as(cookie, 'POST', '/auth/2fa/totp/confirm', { code: totpCode(secret, clock()) });
      assert.equal(confirmed.status, 200);
      recovery = confirmed.body.recoveryCodes;
      assert.equal(recovery.length, 10);
      assert.equal(new Set(recovery).size, 10);
      const status = await as(cookie, 'GET', '/auth/2fa');
      assert.equal(status.body.totp.enabled, true);
      assert.equal(status.body.recoveryCodesLeft, 10);
      const again = await as(cookie, 'POST', '/auth/2fa/totp', { password });
      assert.equal(again.body.error.code, 'TOTP_ALREADY_ENABLED');
      const row = await running.store.db.selectFrom('user_totp').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(secret), 'the seed is not stored in the clear');
      const codes = await running.store.db.selectFrom('recovery_codes').select('code_hash').execute();
      assert.ok(codes.every((c) => !recovery.some((r) => c.code_hash.includes(r.replaceAll('-', '')))), 'recovery codes are stored hashed');
    });

    test('sign-in asks for the code after the password; a code is accepted once, also within its drift window', async () => {
      const first = await login(email, password);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('set-cookie'), null, 'no session before the second factor');
      const { challenge, methods } = first.body.secondFactor;
      assert.deepEqual(methods, ['totp', 'recovery']);
      // The code that confirmed the enrolment is used up.
      const replayed = await second(challenge, { code: totpCode(secret, clock()) });
      assert.equal(replayed.status, 401);
      assert.equal(replayed.body.error.code, 'SECOND_FACTOR_INVALID');
      nextStep();
      const code = totpCode(secret, clock());
      const ok = await second(challenge, { code });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.user.email, email);
      assert.deepEqual(ok.body.twoFactor, { enabled: true, required: false, mustEnrol: false });
      const cookie = cookieOf(ok);
      assert.equal((await as(cookie, 'GET', '/servers')).status, 200);
      const used = await second(challenge, { code });
      assert.equal(used.body.error.code, 'SIGN_IN_CHALLENGE_INVALID', 'a challenge is single-use');
      const fresh = (await login(email, password)).body.secondFactor.challenge;
      assert.equal((await second(fresh, { code })).body.error.code, 'SECOND_FACTOR_INVALID', 'the same code never counts twice');
      // A phone whose clock runs a step ahead still signs in; one two steps ahead does not.
      nextStep();
      assert.equal((await second(fresh, { code: totpCode(secret, clock() + 60_000) })).status, 401);
      assert.equal((await second(fresh, { code: totpCode(secret, clock() + 30_000) })).status, 200);
    });

    test('wrong codes lock the authenticator, even against the right code, until a recovery code is used', async () => {
      const { running } = get();
      let challenge = (await login(email, password)).body.secondFactor.challenge;
      const answers: string[] = [];
      for (let i = 0; i < 5; i++) answers.push((await second(challenge, { code: '000000' })).body.error.code);
      assert.deepEqual(answers, ['SECOND_FACTOR_INVALID', 'SECOND_FACTOR_INVALID', 'SECOND_FACTOR_INVALID', 'SECOND_FACTOR_INVALID', 'SECOND_FACTOR_LOCKED']);
      assert.equal((await second(challenge, { code: '000000' })).body.error.code, 'SIGN_IN_CHALLENGE_INVALID', 'a challenge dies after five wrong codes');
      challenge = (await login(email, password)).body.secondFactor.challenge;
      nextStep();
      const locked = await second(challenge, { code: totpCode(secret, clock()) });
      assert.equal(locked.status, 423);
      assert.equal(locked.body.error.code, 'SECOND_FACTOR_LOCKED');
      assert.match(locked.body.error.message, /recovery code/);
      const rescued = await second(challenge, { recoveryCode: recovery[0]!.toUpperCase() });
      assert.equal(rescued.status, 200, 'a recovery code signs in (case does not matter)');
      const cookie = cookieOf(rescued);
      const status = await as(cookie, 'GET', '/auth/2fa');
      assert.equal(status.body.totp.locked, false, 'the recovery code unlocked the authenticator');
      assert.equal(status.body.recoveryCodesLeft, 9);
      challenge = (await login(email, password)).body.secondFactor.challenge;
      assert.equal((await second(challenge, { recoveryCode: recovery[0]! })).body.error.code, 'SECOND_FACTOR_INVALID', 'a recovery code is single-use');
      nextStep();
      assert.equal((await second(challenge, { code: totpCode(secret, clock()) })).status, 200, 'TOTP works again');
      const actions = (await running.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'auth.%').execute()).map((r) => r.action);
      for (const a of ['auth.totp_enabled', 'auth.totp_locked', 'auth.recovery_code_used', 'auth.second_factor_failed']) assert.ok(actions.includes(a), `audit has ${a}`);
    });

    test('new recovery codes need the password and void the old ones', async () => {
      nextStep();
      const challenge = (await login(email, password)).body.secondFactor.challenge;
      const cookie = cookieOf(await second(challenge, { code: totpCode(secret, clock()) }));
      assert.equal((await as(cookie, 'POST', '/auth/2fa/recovery-codes', { password: 'wrong-password' })).body.error.code, 'REAUTH_FAILED');
      const renewed = await as(cookie, 'POST', '/auth/2fa/recovery-codes', { password });
      assert.equal(renewed.body.recoveryCodes.length, 10);
      const next = (await login(email, password)).body.secondFactor.challenge;
      assert.equal((await second(next, { recoveryCode: recovery[1]! })).status, 401, 'an old code is void');
      assert.equal((await second(next, { recoveryCode: renewed.body.recoveryCodes[0] })).status, 200);
      recovery = renewed.body.recoveryCodes.slice(1);
    });

    test('operators must enrol: a password session of an operator without a second factor may only enrol', async () => {
      const { url, operatorEmail, operatorPassword, operatorToken } = get();
      const res = await login(operatorEmail, operatorPassword);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.twoFactor, { enabled: false, required: true, mustEnrol: true });
      const cookie = cookieOf(res);
      const refused = await as(cookie, 'GET', '/servers');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'TWO_FACTOR_ENROLMENT_REQUIRED');
      assert.match(refused.body.error.message, /operators must sign in with a second factor.*kumulus 2fa enrol/);
      const de = await raw(url, 'GET', '/servers', { headers: { cookie, 'accept-language': 'de' } });
      assert.match(de.body.error.message, /Plattformbetreiber/);
      assert.equal((await as(cookie, 'POST', '/tokens', { name: 'sneak' })).body.error.code, 'TWO_FACTOR_ENROLMENT_REQUIRED', 'no token around the rule');
      assert.equal((await as(cookie, 'GET', '/auth/me')).status, 200);
      assert.equal((await as(cookie, 'GET', '/auth/2fa')).body.required, true);
      const setup = await as(cookie, 'POST', '/auth/2fa/totp', { password: operatorPassword });
      assert.equal((await as(cookie, 'POST', '/auth/2fa/totp/confirm', { code: totpCode(setup.body.secret, clock()) })).status, 200);
      assert.equal((await as(cookie, 'GET', '/servers')).status, 200, 'enrolled, the same session may do everything');
      // The bootstrap token is a machine credential: it works without a second factor.
      assert.equal((await raw(url, 'GET', '/servers', { token: operatorToken })).status, 200);
    });

    test("a tenant's policy makes every user enrol; only its admins set it, and only with a second factor of their own", async () => {
      const { client } = get();
      nextStep();
      const annCookie = cookieOf(await second((await login(email, password)).body.secondFactor.challenge, { code: totpCode(secret, clock()) }));
      const member = await as(annCookie, 'POST', '/users', { email: 'max@twofa.test', password: 'Max-Password-4242' });
      assert.equal(member.status, 201);
      const maxCookie = cookieOf(await login('max@twofa.test', 'Max-Password-4242'));
      assert.equal((await as(maxCookie, 'PUT', `/tenants/${tenantId}/security`, { twoFactorRequired: true })).body.error.code, 'FORBIDDEN');
      const set = await as(annCookie, 'PUT', `/tenants/${tenantId}/security`, { twoFactorRequired: true });
      assert.deepEqual(set.body, { twoFactorRequired: true });
      const refused = await as(maxCookie, 'GET', '/servers');
      assert.equal(refused.body.error.code, 'TWO_FACTOR_ENROLMENT_REQUIRED', 'the policy holds for sessions opened before it');
      assert.match(refused.body.error.message, /your tenant requires a second factor/);
      assert.equal((await as(maxCookie, 'GET', `/tenants/${tenantId}/security`)).status, 200);
      // Another tenant's admin without a second factor neither sees this tenant's settings nor can require it of their own.
      await client.createTenant({ name: 'other2fa', admin: { email: 'eve@other.test', password: 'Eve-Password-4242' } });
      const eve = cookieOf(await login('eve@other.test', 'Eve-Password-4242'));
      assert.equal((await as(eve, 'GET', `/tenants/${tenantId}/security`)).status, 404);
      const eveMe = await as(eve, 'GET', '/auth/me');
      const own = await as(eve, 'PUT', `/tenants/${eveMe.body.tenant.id}/security`, { twoFactorRequired: true });
      assert.equal(own.body.error.code, 'TWO_FACTOR_ENROLMENT_REQUIRED');
      assert.equal((await as(annCookie, 'PUT', `/tenants/${tenantId}/security`, { twoFactorRequired: false })).status, 200);
      assert.equal((await as(maxCookie, 'GET', '/servers')).status, 200);
    });

    test('a password change needs the current one, keeps the rules, and ends the other sessions', async () => {
      const a = cookieOf(await login('max@twofa.test', 'Max-Password-4242'));
      const b = cookieOf(await login('max@twofa.test', 'Max-Password-4242'));
      assert.equal((await as(a, 'POST', '/auth/password', { currentPassword: 'wrong', newPassword: 'New-Password-4242' })).body.error.code, 'REAUTH_FAILED');
      assert.equal((await as(a, 'POST', '/auth/password', { currentPassword: 'Max-Password-4242', newPassword: 'short' })).body.error.code, 'WEAK_PASSWORD');
      assert.equal((await as(a, 'POST', '/auth/password', { currentPassword: 'Max-Password-4242', newPassword: 'New-Password-4242' })).status, 204);
      assert.equal((await as(a, 'GET', '/auth/me')).status, 200, 'this session stays');
      assert.equal((await as(b, 'GET', '/auth/me')).status, 401, 'the other one ended');
      assert.equal((await login('max@twofa.test', 'Max-Password-4242')).status, 401);
      assert.equal((await login('max@twofa.test', 'New-Password-4242')).status, 200);
    });
  },
  { clock, requireOperatorTwoFactor: true },
);
