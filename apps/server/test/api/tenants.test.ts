import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

/** A tenant with an admin, signed in by a fresh API token. */
async function tenantWithAdmin(operator: KumulusClient, url: string, name: string) {
  const email = `admin@${name}.test`;
  const password = `${name}-Admin-Password-7`;
  const tenant = await operator.createTenant({ name, admin: { email, password } });
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const token: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"t"}', headers: { cookie, origin: url } })).body.secret;
  return { tenant, email, password, token, client: new KumulusClient({ baseUrl: url, token }) };
}

describeEachStore('operators and tenants', (get) => {
  test("operators list every tenant's servers, or one tenant's, and reach them by id", async () => {
    const { client: op, url } = get();
    const own = (await op.me()).tenant;
    const acme = await tenantWithAdmin(op, url, 'acme-ops');
    const made = await acme.client.createServer({ name: 'shop', plan: 'nano', image: 'tiny', start: false });
    await acme.client.waitOperation(made.operation.id, 60);

    assert.ok(!(await op.listServers()).items.some((s) => s.id === made.server.id), 'by default an operator sees its own tenant');
    const all = await op.listServers({ tenant: 'all' });
    const listed = all.items.find((s) => s.id === made.server.id);
    assert.equal(listed?.tenantId, acme.tenant.id, 'each server names its tenant');
    assert.deepEqual((await op.listServers({ tenant: acme.tenant.id })).items.map((s) => s.name), ['shop']);
    assert.deepEqual((await op.listServers({ tenant: own.id })).items.filter((s) => s.tenantId !== own.id), []);
    // By id an operator opens and changes another tenant's server; by name only its own.
    assert.equal((await op.getServer(made.server.id)).name, 'shop');
    assert.equal((await raw(url, 'GET', '/servers/shop', { token: get().operatorToken })).status, 404);
    const started = await op.serverAction(made.server.id, 'start');
    assert.equal(started.tenantId, acme.tenant.id, "the operation is filed under the server's tenant, which sees it");
    assert.ok((await acme.client.listOperations()).items.some((o) => o.id === started.id));
    await op.waitOperation(started.id, 60);
    await op.waitOperation((await op.deleteServer(made.server.id)).id, 60);
  });

  test('rename a tenant; a taken name or an unknown id is refused', async () => {
    const { client: op, url } = get();
    const t = await tenantWithAdmin(op, url, 'old-name');
    await op.createTenant({ name: 'other-name' });
    const renamed = await op.renameTenant(t.tenant.id, { name: 'new-name' });
    assert.deepEqual(renamed, { ...t.tenant, name: 'new-name' });
    assert.equal((await t.client.me()).tenant.name, 'new-name');
    await assert.rejects(op.renameTenant(t.tenant.id, { name: 'other-name' }), (e: ApiError) => e.status === 409 && e.code === 'NAME_TAKEN');
    await assert.rejects(op.renameTenant(t.tenant.id, { name: 'Not A Name' }), (e: ApiError) => e.status === 400);
    await assert.rejects(op.renameTenant('ten_doesnotexist0000000000', { name: 'x-name' }), (e: ApiError) => e.status === 404 && e.code === 'NOT_FOUND');
  });

  test('a tenant with servers is not deleted: the 409 names them; without them it goes with its users', async () => {
    const { client: op, url } = get();
    const t = await tenantWithAdmin(op, url, 'leaving');
    const made = await t.client.createServer({ name: 'last-one', plan: 'nano', image: 'tiny', start: false });
    await t.client.waitOperation(made.operation.id, 60);
    await t.client.createSshKey({ name: 'k', publicKey: newSshPublicKey() });
    // A setting like its keys: goes with the tenant (an event no step here causes, so nothing is sent).
    await t.client.createWebhook({ url: 'https://hooks.example.com/k', events: ['operation.failed'] });

    const refused = await raw(url, 'DELETE', `/tenants/${t.tenant.id}`, { token: get().operatorToken, headers: { 'accept-language': 'en' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'TENANT_NOT_EMPTY');
    assert.match(refused.body.error.message, /leaving still has 1 server\(s\): last-one\. Delete them first/);
    const de = await raw(url, 'DELETE', `/tenants/${t.tenant.id}`, { token: get().operatorToken, headers: { 'accept-language': 'de' } });
    assert.match(de.body.error.message, /Löschen Sie diese zuerst/);
    assert.equal((await t.client.getServer(made.server.id)).name, 'last-one', 'nothing was deleted');

    const own = (await op.me()).tenant;
    const self = await raw(url, 'DELETE', `/tenants/${own.id}`, { token: get().operatorToken });
    assert.equal(self.status, 409);
    assert.equal(self.body.error.code, 'TENANT_IS_OWN');

    await op.waitOperation((await op.deleteServer(made.server.id)).id, 60);
    await op.deleteTenant(t.tenant.id);
    assert.ok(!(await op.listTenants()).items.some((x) => x.id === t.tenant.id));
    await assert.rejects(t.client.me(), (e: ApiError) => e.status === 401, "the tenant's tokens end with it");
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: t.email, password: t.password }) });
    assert.equal(login.status, 401, 'its users are gone');
    await assert.rejects(op.deleteTenant(t.tenant.id), (e: ApiError) => e.status === 404);
    // The name is free again.
    await op.createTenant({ name: 'leaving' });
  });
});
