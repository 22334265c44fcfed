/**
 * The operators' view of a server's life, on both stores: an operator finds a tenant's server among
 * all servers and among those on a host, stops it, and the tenant sees that operation in its
 * history; the life actions (rename, protection, resize, password reset, power) are in the audit
 * log, which a tenant reads for itself and only an operator for others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

/** A tenant with an admin, signed in by a fresh API token. */
async function tenantWithAdmin(operator: KumulusClient, url: string, name: string) {
  const email = `admin@${name}.test`;
  const password = `${name}-Admin-Password-7`;
  const tenant = await operator.createTenant({ name, admin: { email, password } });
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const token: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"t"}', headers: { cookie, origin: url } })).body.secret;
  return { tenant, token, client: new KumulusClient({ baseUrl: url, token }) };
}

describeEachStore('operator view and audit of life actions', (get) => {
  test('an operator finds and stops a tenant server; life actions are audited', async () => {
    const { client: op, url } = get();
    const acme = await tenantWithAdmin(op, url, 'acme-audit');
    await op.createPlan({ name: 'audit-big', vcpus: 1, memoryMb: 384, diskGb: 2, priceHourly: { amount: 2, currency: 'EUR' } });
    const made = await acme.client.createServer({ name: 'shop', plan: 'nano', image: 'tiny' });
    assert.equal((await acme.client.waitOperation(made.operation.id, 60)).state, 'succeeded');
    const id = made.server.id;
    const done = async (p: Promise<{ id: string }>) => assert.equal((await acme.client.waitOperation((await p).id, 90)).state, 'succeeded');

    await acme.client.updateServer(id, { name: 'shop2' });
    await acme.client.changeServerProtection(id, { delete: true });
    await done(acme.client.resizeServer(id, 'audit-big'));
    await done(acme.client.resetServerPassword(id).then((r) => r.operation));
    await acme.client.changeServerProtection(id, { delete: false });

    // The host view: every server on the host the list of hosts names, across tenants.
    const host = (await op.listHosts()).items[0]!;
    const onHost = await op.all((q) => op.listServers({ ...q, tenant: 'all', node: host.name }));
    assert.ok(onHost.some((s) => s.id === id && s.tenantId === acme.tenant.id), 'the tenant server is among those on the host');
    assert.deepEqual((await op.listServers({ tenant: 'all', node: 'no-such-host' })).items, []);
    const stopped = await op.serverAction(id, 'stop');
    assert.equal((await op.waitOperation(stopped.id, 90)).state, 'succeeded');
    assert.ok((await acme.client.listOperations({ target: id })).items.some((o) => o.id === stopped.id && o.kind === 'server.stop'), 'the tenant sees the stop in its history');

    const own = await acme.client.all((q) => acme.client.listAudit({ ...q, target: id }));
    assert.deepEqual(
      own.map((a) => a.action),
      ['server.create', 'server.rename', 'server.change-protection', 'server.resize', 'server.reset-password', 'server.change-protection'],
      'every life action of the tenant, in order',
    );
    assert.deepEqual(own.find((a) => a.action === 'server.rename')?.detail, { from: 'shop', to: 'shop2', operation: own.find((a) => a.action === 'server.rename')?.detail.operation });
    assert.ok(own.every((a) => a.tenantId === acme.tenant.id && a.targetId === id));
    const lifeOnly = await acme.client.listAudit({ target: id, action: 'server.change-*' });
    assert.equal(lifeOnly.items.length, 0, 'a trailing * alone is no prefix: only `.*` is');
    assert.equal((await acme.client.listAudit({ target: id, action: 'server.*', sort: 'action:desc', per_page: 2 })).meta?.pagination.totalEntries, 6);

    const all = await op.all((q) => op.listAudit({ ...q, tenant: 'all', target: id }));
    assert.ok(all.some((a) => a.action === 'server.stop' && a.tenantId !== acme.tenant.id), "the operator's own stop, filed under the operator");
    await assert.rejects(acme.client.listAudit({ tenant: 'all' }), (e: ApiError) => e.status === 403 && e.code === 'FORBIDDEN');
    const bad = await raw(url, 'GET', '/audit?sort=who', { token: acme.token });
    assert.equal(bad.body.error.code, 'SORT_KEY_INVALID');
    await done(acme.client.deleteServer(id));
  });
});
