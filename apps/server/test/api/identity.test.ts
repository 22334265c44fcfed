import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

async function signIn(url: string, email: string, password: string) {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

describeEachStore('identity API', (get) => {
  test('sign-in sets a hardened session cookie; the session works, sign-out ends it', async () => {
    const { url, operatorEmail, operatorPassword } = get();
    const res = await signIn(url, operatorEmail, operatorPassword);
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /kumulus_session=kms_/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    const session = cookie.split(';')[0]!;
    const me = await raw(url, 'GET', '/auth/me', { headers: { cookie: session } });
    assert.equal(me.body.user.email, operatorEmail);
    assert.equal(me.body.user.role, 'operator');
    // A change made with a cookie must come from our own origin (CSRF).
    const foreign = await raw(url, 'POST', '/tokens', { body: '{"name":"x"}', headers: { cookie: session, origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    const own = await raw(url, 'POST', '/tokens', { body: '{"name":"x"}', headers: { cookie: session, origin: url } });
    assert.equal(own.status, 201);
    assert.equal((await raw(url, 'POST', '/auth/logout', { headers: { cookie: session, origin: url } })).status, 204);
    assert.equal((await raw(url, 'GET', '/auth/me', { headers: { cookie: session } })).status, 401);
  });

  test('wrong passwords lock the account with an escalating lockout', async () => {
    const { client, url } = get();
    await client.createTenant({ name: 'lockme', admin: { email: 'lock@kumulus.test', password: 'Right-Password-42' } });
    for (let i = 0; i < 5; i++) assert.equal((await signIn(url, 'lock@kumulus.test', 'wrong-password')).status, 401);
    const locked = await signIn(url, 'lock@kumulus.test', 'Right-Password-42');
    assert.equal(locked.status, 429, 'even the right password is refused while locked');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'ACCOUNT_LOCKED');
    // An unknown e-mail answers exactly like a wrong password.
    const unknown = await signIn(url, 'nobody@kumulus.test', 'whatever-password');
    assert.equal(unknown.status, 401);
  });

  test('API tokens: the secret is shown once, stored hashed, and revocation ends it', async () => {
    const { client, url } = get();
    const { token, secret } = await client.createToken({ name: 'ci', expiresInDays: 30 });
    assert.match(secret, /^kmt_/);
    assert.ok(token.expiresAt);
    const listed = await client.listTokens();
    assert.ok(listed.items.some((t) => t.id === token.id));
    assert.ok(!JSON.stringify(listed).includes(secret), 'the list never shows a secret');
    const own = new KumulusClient({ baseUrl: url, token: secret });
    assert.equal((await own.me()).user.role, 'operator');
    await client.revokeToken(token.id);
    await assert.rejects(own.me(), (e: ApiError) => e.status === 401);
  });

  test('roles: members cannot create users, tenants or plans; weak passwords are refused', async () => {
    const { client, url } = get();
    await client.createTenant({ name: 'roles', admin: { email: 'admin@roles.test', password: 'Admin-Password-42' } });
    const login = await signIn(url, 'admin@roles.test', 'Admin-Password-42');
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const h = { cookie, origin: url };
    const weak = await raw(url, 'POST', '/users', { body: JSON.stringify({ email: 'm@roles.test', password: 'short' }), headers: h });
    assert.equal(weak.body.error.code, 'WEAK_PASSWORD');
    const member = await raw(url, 'POST', '/users', { body: JSON.stringify({ email: 'm@roles.test', password: 'Member-Password-42' }), headers: h });
    assert.equal(member.status, 201);
    assert.equal(member.body.role, 'member');
    const dupe = await raw(url, 'POST', '/users', { body: JSON.stringify({ email: 'M@roles.test', password: 'Member-Password-42' }), headers: h });
    assert.equal(dupe.body.error.code, 'NAME_TAKEN');
    const tenant = await raw(url, 'POST', '/tenants', { body: JSON.stringify({ name: 'nope' }), headers: h });
    assert.equal(tenant.status, 403);
    assert.equal(tenant.body.error.code, 'FORBIDDEN');
    const plan = await raw(url, 'POST', '/plans', { body: JSON.stringify({ name: 'p', vcpus: 1, memoryMb: 64, diskGb: 1, priceHourly: { amount: 1, currency: 'EUR' } }), headers: h });
    assert.equal(plan.status, 403);
    const tenants = await raw(url, 'GET', '/tenants', { headers: h });
    assert.deepEqual(tenants.body.items.map((t: { name: string }) => t.name), ['roles'], 'a tenant admin sees only its own tenant');
  });

  test('every change is written to the audit log with who, which tenant and the request id', async () => {
    const { client, running, url, operatorToken } = get();
    const res = await raw(url, 'POST', '/tokens', { token: operatorToken, body: '{"name":"audited"}' });
    const requestId = res.headers.get('x-request-id');
    assert.match(requestId ?? '', /^req_/);
    const me = await client.me();
    const entry = await running.store.db.selectFrom('audit_log').selectAll().where('request_id', '=', requestId).executeTakeFirst();
    assert.ok(entry, 'an audit entry carries the request id');
    assert.equal(entry.action, 'token.create');
    assert.equal(entry.actor_id, me.user.id);
    assert.equal(entry.tenant_id, me.tenant.id);
  });
});
