/**
 * The networks API on both stores: a vSwitch is made on the host and removed again, bad input
 * answers a 4xx naming the field and leaves nothing, NICs take next-free or chosen addresses,
 * a network with NICs cannot be deleted, and another tenant's network reads as absent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { linkExists } from '../../src/drivers/local/network.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('networks API', (get) => {
  test('create, list, show, rename, allocations and delete; the bridge comes and goes', async () => {
    const { client: c, running } = get();
    const made = await c.createNetwork({ name: 'backend', ipv4Cidr: '10.60.0.0/24' });
    assert.equal(made.network.status.phase, 'Pending');
    assert.equal(made.operation.kind, 'network.create');
    assert.equal((await c.waitOperation(made.operation.id, 60)).state, 'succeeded');
    const id = made.network.id;
    const net = await c.getNetwork('backend');
    assert.equal(net.id, id);
    assert.equal(net.status.phase, 'Ready');
    assert.equal(net.gateway, null);
    assert.equal(net.dnsServer, '10.60.0.1', 'the first address serves DHCP and DNS');
    assert.equal(net.dnsDomain, 'backend.internal');
    assert.ok(await linkExists(running.engine.network.linkOf(id)), 'its bridge exists on the host');
    assert.deepEqual((await c.listNetworks()).items.map((n) => n.id), [id]);
    assert.deepEqual((await c.listNetworkAllocations(id)).items, [{ address: '10.60.0.1', kind: 'service', serverId: null, nicId: null }]);

    const renamed = await c.renameNetwork(id, 'backend2');
    assert.equal(renamed.name, 'backend2');
    assert.equal(renamed.dnsDomain, 'backend.internal', 'the domain guests were given stays');

    assert.equal((await c.waitOperation((await c.deleteNetwork(id)).id, 60)).state, 'succeeded');
    await assert.rejects(c.getNetwork(id), (e: ApiError) => e.status === 404 && e.code === 'NETWORK_NOT_FOUND');
    assert.equal(await linkExists(running.engine.network.linkOf(id)), false, 'the bridge is gone');
    assert.deepEqual(await running.engine.network.listNetworks(), []);
  });

  test('labels on create and PATCH, checked as server labels, and label_selector on the list', async () => {
    const { client: c, url, operatorToken: token } = get();
    const a = await c.createNetwork({ name: 'lbl-a', ipv4Cidr: '10.66.0.0/24', labels: { env: 'prod', tier: 'web' } });
    const b = await c.createNetwork({ name: 'lbl-b', ipv4Cidr: '10.66.1.0/24' });
    try {
      assert.deepEqual(a.network.labels, { env: 'prod', tier: 'web' });
      assert.deepEqual((await c.getNetwork('lbl-b')).labels, {}, 'none by default');
      const names = async (label_selector: string) => (await c.listNetworks({ label_selector, sort: 'name' })).items.map((n) => n.name);
      assert.deepEqual(await names('env=prod'), ['lbl-a']);
      assert.deepEqual(await names('!env'), ['lbl-b']);
      const updated = await c.updateNetwork(b.network.id, { labels: { env: 'prod', backup: '' } });
      assert.deepEqual(updated.labels, { env: 'prod', backup: '' });
      assert.equal(updated.name, 'lbl-b', 'labels alone leave the name');
      assert.deepEqual(await names('env=prod'), ['lbl-a', 'lbl-b']);
      assert.deepEqual(await names('backup,env in (prod,test)'), ['lbl-b']);
      assert.deepEqual((await c.renameNetwork('lbl-b', 'lbl-c')).labels, { env: 'prod', backup: '' }, 'a rename keeps the labels');

      const badCreate = await raw(url, 'POST', '/networks', { token, body: JSON.stringify({ name: 'lbl-bad', ipv4Cidr: '10.66.2.0/24', labels: { '-x': 'y' } }) });
      assert.equal(badCreate.status, 400);
      assert.equal(badCreate.body.error.details[0].field, 'labels.-x');
      assert.equal((await c.listNetworks({ sort: 'name' })).items.some((n) => n.name === 'lbl-bad'), false, 'nothing made');
      const badPatch = await raw(url, 'PATCH', `/networks/${a.network.id}`, { token, body: JSON.stringify({ labels: { env: 'no spaces' } }) });
      assert.equal(badPatch.status, 400);
      assert.equal(badPatch.body.error.details[0].field, 'labels.env');
      assert.deepEqual((await c.getNetwork(a.network.id)).labels, { env: 'prod', tier: 'web' }, 'a refused change loses nothing');
      assert.equal((await raw(url, 'PATCH', `/networks/${a.network.id}`, { token, body: '{}' })).status, 400, 'an empty change is refused');
      const badSelector = await raw(url, 'GET', `/networks?label_selector=${encodeURIComponent('a in b')}`, { token });
      assert.equal(badSelector.body.error.code, 'LABEL_SELECTOR_INVALID');
    } finally {
      for (const n of [a, b]) await c.waitOperation((await c.deleteNetwork(n.network.id)).id, 60);
    }
  });

  test('bad input answers 4xx naming the field, and nothing is made', async () => {
    const { url, operatorToken: token, client: c } = get();
    const first = await c.createNetwork({ name: 'taken', ipv4Cidr: '192.168.50.0/24', gateway: '192.168.50.254' });
    assert.equal(first.network.dnsServer, '192.168.50.254', 'the gateway holds the service address');
    const cases: [object, number, string, string][] = [
      [{ name: 'x1', ipv4Cidr: 'not-a-cidr' }, 400, 'VALIDATION_FAILED', 'ipv4Cidr'],
      [{ name: 'x2', ipv4Cidr: '10.0.0.0/8' }, 400, 'VALIDATION_FAILED', 'ipv4Cidr'],
      [{ name: 'x3', ipv4Cidr: '10.0.0.0/30' }, 400, 'VALIDATION_FAILED', 'ipv4Cidr'],
      [{ name: 'x4', ipv4Cidr: '8.8.8.0/24' }, 400, 'VALIDATION_FAILED', 'ipv4Cidr'],
      [{ name: 'x5', ipv4Cidr: '10.61.0.7/24' }, 400, 'VALIDATION_FAILED', 'ipv4Cidr'],
      [{ name: 'x6', ipv4Cidr: '10.61.0.0/24', gateway: '10.62.0.1' }, 400, 'VALIDATION_FAILED', 'gateway'],
      [{ name: 'x7', ipv4Cidr: '10.61.0.0/24', gateway: '10.61.0.255' }, 400, 'VALIDATION_FAILED', 'gateway'],
      [{ name: 'x8', ipv4Cidr: '192.168.50.128/25' }, 409, 'SUBNET_OVERLAP', 'ipv4Cidr'],
      [{ name: 'taken', ipv4Cidr: '10.63.0.0/24' }, 409, 'NAME_TAKEN', 'name'],
      [{ name: 'default', ipv4Cidr: '10.63.0.0/24' }, 409, 'NAME_TAKEN', 'name'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await raw(url, 'POST', '/networks', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === field), `names ${field}: ${JSON.stringify(res.body.error)}`);
    }
    assert.deepEqual((await c.listNetworks()).items.map((n) => n.name), ['taken']);
    await c.waitOperation((await c.deleteNetwork('taken')).id, 60);
  });

  test('NICs take the next free or a chosen address; a network with NICs is not deleted', async () => {
    const { url, operatorToken: token, client: c } = get();
    const net = await c.createNetwork({ name: 'apps', ipv4Cidr: '10.64.0.0/29' });
    await c.waitOperation(net.operation.id, 60);
    const a = await c.createServer({ name: 'nic-a', plan: 'nano', image: 'tiny', start: false, nics: [{ network: 'apps' }] });
    assert.deepEqual(a.server.spec.nics.map((n) => [n.network, n.ipv4]), [[net.network.id, '10.64.0.2/29']]);
    const b = await c.createServer({ name: 'nic-b', plan: 'nano', image: 'tiny', start: false, nics: [{ network: 'default' }, { network: net.network.id, ipv4: '10.64.0.6' }] });
    assert.equal(b.server.spec.nics.length, 2);
    assert.equal(b.server.spec.nics[1]!.ipv4, '10.64.0.6/29');
    for (const op of [a.operation, b.operation]) assert.equal((await c.waitOperation(op.id, 60)).state, 'succeeded');

    const bad: [object, number, string, string][] = [
      [{ network: 'apps', ipv4: '10.64.0.6' }, 409, 'ADDRESS_TAKEN', 'nics[0].ipv4'],
      [{ network: 'apps', ipv4: '10.64.0.1' }, 409, 'ADDRESS_TAKEN', 'nics[0].ipv4'],
      [{ network: 'apps', ipv4: '10.64.1.6' }, 400, 'VALIDATION_FAILED', 'nics[0].ipv4'],
      [{ network: 'nowhere' }, 404, 'NETWORK_NOT_FOUND', 'nics[0].network'],
    ];
    for (const [nic, status, code, field] of bad) {
      const res = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'nic-x', plan: 'nano', image: 'tiny', nics: [nic] }) });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === field), JSON.stringify(res.body.error));
    }
    const twice = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'nic-x', plan: 'nano', image: 'tiny', nics: [{ network: 'apps' }, { network: 'apps' }] }) });
    assert.equal(twice.status, 400);
    assert.equal((await c.listServers()).items.filter((s) => s.name === 'nic-x').length, 0, 'nothing half made');

    const allocated = (await c.listNetworkAllocations('apps')).items.map((x) => x.address).sort();
    assert.deepEqual(allocated, ['10.64.0.1', '10.64.0.2', '10.64.0.6']);
    await assert.rejects(c.deleteNetwork('apps'), (e: ApiError) => e.status === 409 && e.code === 'NETWORK_IN_USE');
    for (const s of [a.server, b.server]) await c.waitOperation((await c.deleteServer(s.id)).id, 60);
    assert.equal((await c.waitOperation((await c.deleteNetwork('apps')).id, 60)).state, 'succeeded');
  });

  test('concurrent creates on one network never share an address', async () => {
    const { client: c } = get();
    const net = await c.createNetwork({ name: 'burst', ipv4Cidr: '10.66.0.0/28' });
    await c.waitOperation(net.operation.id, 60);
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => c.createServer({ name: `burst${i}`, plan: 'nano', image: 'tiny', start: false, nics: [{ network: 'burst' }] })));
    const addresses = made.map((m) => m.server.spec.nics[0]!.ipv4);
    assert.equal(new Set(addresses).size, 8, addresses.join(' '));
    assert.ok(!addresses.includes('10.66.0.1/28'), 'the service address is never handed out');
    for (const m of made) await c.waitOperation(m.operation.id, 60);
    await Promise.all(made.map(async (m) => c.waitOperation((await c.deleteServer(m.server.id)).id, 60)));
    assert.equal((await c.waitOperation((await c.deleteNetwork('burst')).id, 60)).state, 'succeeded');
  });

  test("another tenant's network reads as absent, also as a NIC's network", async () => {
    const { client: a, url } = get();
    await a.createTenant({ name: 'net-tenant-b', admin: { email: 'b@net-tenant-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@net-tenant-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const bToken: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } })).body.secret;
    const b = new KumulusClient({ baseUrl: url, token: bToken });
    const net = await a.createNetwork({ name: 'private-a', ipv4Cidr: '10.65.0.0/24' });
    await a.waitOperation(net.operation.id, 60);
    for (const [method, path, body] of [
      ['GET', `/networks/${net.network.id}`],
      ['GET', '/networks/private-a'],
      ['PATCH', `/networks/${net.network.id}`, '{"name":"stolen"}'],
      ['DELETE', `/networks/${net.network.id}`],
      ['GET', `/networks/${net.network.id}/allocations`],
    ] as [string, string, string?][]) {
      const res = await raw(url, method, path, { token: bToken, ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    await assert.rejects(b.createServer({ name: 'intruder', plan: 'nano', image: 'tiny', nics: [{ network: net.network.id }] }), (e: ApiError) => e.status === 404 && e.code === 'NETWORK_NOT_FOUND');
    // The same subnet in another tenant is fine: each is its own layer-2 segment.
    const own = await b.createNetwork({ name: 'private-b', ipv4Cidr: '10.65.0.0/24' });
    assert.equal((await b.waitOperation(own.operation.id, 60)).state, 'succeeded');
    await b.waitOperation((await b.deleteNetwork(own.network.id)).id, 60);
    await a.waitOperation((await a.deleteNetwork(net.network.id)).id, 60);
  });
});
