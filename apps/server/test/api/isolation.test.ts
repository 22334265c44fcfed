import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KumulusClient } from '@kumulus/api';
import { newSshPublicKey } from '../ssh-key.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('tenant isolation', (get) => {
  test("a second tenant gets 404 for every id of the first and never sees its objects", async () => {
    const { client: a, url } = get();
    // Tenant B with its own admin and token.
    await a.createTenant({ name: 'tenant-b', admin: { email: 'b@tenant-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@tenant-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const tokenRes = await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } });
    const bToken: string = tokenRes.body.secret;
    const b = new KumulusClient({ baseUrl: url, token: bToken });

    const { server, operation } = await a.createServer({ name: 'secret-server', plan: 'nano', image: 'tiny', start: false });
    await a.waitOperation(operation.id, 60);
    const aToken = (await a.createToken({ name: 'a-token' })).token;
    const aKey = await a.createSshKey({ name: 'a-key', publicKey: newSshPublicKey() });

    const probes: [string, string, string?][] = [
      ['GET', `/servers/${server.id}`],
      ['GET', '/servers/secret-server'],
      ['POST', `/servers/${server.id}/actions/start`, '{}'],
      ['POST', `/servers/${server.id}/actions/stop`, '{}'],
      ['POST', `/servers/${server.id}/actions/reboot`, '{}'],
      ['DELETE', `/servers/${server.id}`],
      ['GET', `/operations/${operation.id}`],
      ['GET', `/operations/${operation.id}/wait?timeout=0`],
      ['DELETE', `/tokens/${aToken.id}`],
      ['GET', `/servers/${server.id}/console`],
      ['GET', `/ssh-keys/${aKey.id}`],
      ['PATCH', `/ssh-keys/${aKey.id}`, '{"name":"stolen"}'],
      ['DELETE', `/ssh-keys/${aKey.id}`],
    ];
    for (const [method, path, body] of probes) {
      const res = await raw(url, method, path, { token: bToken, ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.equal((await b.listServers()).items.length, 0);
    assert.ok(!(await b.listOperations()).items.some((o) => o.id === operation.id));
    assert.ok(!(await b.listOperations({ scope: 'all' })).items.some((o) => o.id === operation.id), 'scope=all is for operators only');
    assert.equal((await b.listTokens()).items.length, 1);
    assert.equal((await b.listUsers()).items.length, 1);
    assert.equal((await raw(url, 'GET', '/hosts', { token: bToken })).status, 403);
    // The operators' cross-tenant views and tenant changes are refused to a tenant admin, for
    // another tenant and for its own alike, and leave everything as it was.
    const aTenant = (await a.me()).tenant;
    const bTenant = (await b.me()).tenant;
    const operatorOnly: [string, string, string?][] = [
      ['GET', '/servers?tenant=all'],
      ['GET', `/servers?tenant=${aTenant.id}`],
      ['PATCH', `/tenants/${aTenant.id}`, '{"name":"taken-over"}'],
      ['DELETE', `/tenants/${aTenant.id}`],
      ['PATCH', `/tenants/${bTenant.id}`, '{"name":"renamed-b"}'],
      ['DELETE', `/tenants/${bTenant.id}`],
    ];
    for (const [method, path, body] of operatorOnly) {
      const res = await raw(url, method, path, { token: bToken, ...(body ? { body } : {}) });
      assert.equal(res.status, 403, `${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
    assert.deepEqual((await b.listServers({ tenant: bTenant.id })).items, [], 'naming its own tenant is allowed');
    assert.deepEqual((await a.listTenants()).items.map((t) => t.name).sort(), [aTenant.name, 'tenant-b'].sort());
    assert.equal((await b.listSshKeys()).items.length, 0);
    const borrowKey = await raw(url, 'POST', '/servers', { token: bToken, body: JSON.stringify({ name: 'borrow', plan: 'nano', image: 'tiny', sshKeyIds: [aKey.id] }) });
    assert.equal(borrowKey.body.error?.code, 'SSH_KEY_NOT_FOUND', "another tenant's key cannot be put on a server");
    assert.deepEqual(await a.getSshKey(aKey.id), aKey, "A's key is untouched");
    // The same key may be saved in both tenants.
    await b.createSshKey({ name: 'a-key', publicKey: aKey.publicKey });

    // Same names are fine across tenants, and A's server is untouched by all of the above.
    const bs = await b.createServer({ name: 'secret-server', plan: 'nano', image: 'tiny', start: false });
    await b.waitOperation(bs.operation.id, 60);
    const after = await a.getServer(server.id);
    assert.equal(after.generation, 1);
    assert.equal(after.status.phase, 'Stopped');
    await b.waitOperation((await b.deleteServer(bs.server.id)).id, 60);
    await a.waitOperation((await a.deleteServer(server.id)).id, 60);
  });
});
