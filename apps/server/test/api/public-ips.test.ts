/**
 * IP pools and public IPs through the API on both stores: bad input is a 4xx naming the field
 * and makes nothing, addresses come fresh first and a released one only after the pool's
 * cool-down, IPv6 pools hand out /64s, another tenant's public IP and server read as 404, a
 * deleted server leaves its public IPs allocated, and a pool in use cannot be deleted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient, publicIpApi } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

const fails = async (p: Promise<unknown>, status: number, code: string, field?: string) => {
  await assert.rejects(p, (e: ApiError) => {
    assert.equal(e.status, status, `${e.code}: ${e.message}`);
    assert.equal(e.code, code);
    if (field) assert.ok(e.details.some((d) => d.field === field), `names ${field}: ${JSON.stringify(e.details)}`);
    return true;
  });
};

describeEachStore('public IPs', (get) => {
  test('pools refuse bad ranges, overlaps and private ranges, and nothing is half made', async () => {
    const { client: c, url, operatorToken } = get();
    const api = publicIpApi(c);
    await fails(api.createPool({ name: 'bad', range: '203.0.113.0/33', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: 'not-a-range', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '203.0.113.9-203.0.113.1', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '203.0.113.1/24', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '192.168.10.0/24', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '100.64.0.0/24', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: 'fd00:1::/56', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '2001:db8::/40', uplink: 'kmtnoup0' }), 400, 'VALIDATION_FAILED', 'range');
    await fails(api.createPool({ name: 'bad', range: '203.0.113.0/28', uplink: 'kmtnoup0', mode: 'bridged' }), 422, 'POOL_MODE_UNSUPPORTED', 'mode');
    const body = JSON.stringify({ name: 'bad', range: '203.0.113.0/28', uplink: 'this-name-is-too-long' });
    assert.equal((await raw(url, 'POST', '/ip-pools', { token: operatorToken, body })).status, 400);
    const german = await raw(url, 'POST', '/ip-pools', { token: operatorToken, body: JSON.stringify({ name: 'bad', range: '10.0.0.0/24', uplink: 'kmtnoup0' }), headers: { 'accept-language': 'de' } });
    assert.equal(german.status, 400);
    assert.match(german.body.error.message, /10\.0\.0\.0\/24 ist kein öffentlicher Bereich/, 'the summary in German');
    assert.match(german.body.error.details[0].message, /einem privaten/, 'and the field message');
    assert.equal((await api.listPools()).items.length, 0, 'no refused pool was made');

    const v4 = await api.createPool({ name: 'v4', range: '203.0.113.0/29', uplink: 'kmtnoup0', cooldownSeconds: 3600 });
    assert.equal(v4.size, 8);
    assert.equal(v4.mode, 'routed');
    await fails(api.createPool({ name: 'v4b', range: '203.0.113.4-203.0.113.20', uplink: 'kmtnoup0' }), 409, 'POOL_OVERLAP', 'range');
    await fails(api.createPool({ name: 'v4', range: '203.0.113.64/29', uplink: 'kmtnoup0' }), 409, 'NAME_TAKEN', 'name');
    const v6 = await api.createPool({ name: 'v6', range: '2001:db8:100::/62', uplink: 'kmtnoup0' });
    assert.equal(v6.family, 'ipv6');
    assert.equal(v6.size, 4);
    assert.equal((await api.updatePool('v4', { name: 'v4-main' })).name, 'v4-main');
  });

  test('allocation: fresh addresses first, chosen ones checked, a released one rests', async () => {
    const { client: c } = get();
    const api = publicIpApi(c);
    const a = await api.allocate({ name: 'a' });
    assert.equal(a.address, '203.0.113.0');
    assert.equal(a.server, null);
    await fails(api.allocate({ name: 'x', address: '203.0.113.200' }), 400, 'VALIDATION_FAILED', 'address');
    await fails(api.allocate({ name: 'x', address: '203.0.113.0' }), 409, 'ADDRESS_TAKEN', 'address');
    await fails(api.allocate({ name: 'a' }), 409, 'NAME_TAKEN', 'name');
    await fails(api.allocate({ name: 'x', pool: 'nope' }), 404, 'IP_POOL_NOT_FOUND', 'pool');
    const chosen = await api.allocate({ name: 'chosen', address: '203.0.113.5', reverseDns: 'Mail.Example.com.' });
    assert.equal(chosen.reverseDns, 'mail.example.com', 'stored lower-case without the trailing dot');
    await fails(api.update('chosen', { reverseDns: 'not a host name' as string }), 400, 'VALIDATION_FAILED');
    assert.equal((await api.update('chosen', { reverseDns: 'smtp.example.com' })).reverseDns, 'smtp.example.com');
    assert.deepEqual((await api.update('chosen', { labels: { role: 'mail' } })).labels, { role: 'mail' });
    await api.release(a.id);
    const next = await api.allocate({ name: 'b' });
    assert.equal(next.address, '203.0.113.1', 'the released .0 rests for the cool-down');
    const six = await api.allocate({ name: 'six', family: 'ipv6' });
    assert.equal(six.address, '2001:db8:100::/64');
    assert.equal((await api.allocate({ name: 'six2', family: 'ipv6' })).address, '2001:db8:100:1::/64');
    // Every fresh IPv4 address goes before the rested one comes back (here: never, the cool-down is an hour).
    for (const n of ['c', 'd', 'e', 'f', 'g']) await api.allocate({ name: n });
    await assert.rejects(api.allocate({ name: 'h' }), (e: ApiError) => e.status === 503 && e.code === 'NO_ADDRESS_LEFT');
    assert.ok(!(await c.all((q) => api.list(q))).some((p) => p.address === '203.0.113.0'), 'the released address was not handed out again');
    await fails(api.deletePool('v4-main'), 409, 'POOL_IN_USE');
  });

  test("another tenant's public IPs and servers are 404; a deleted server's IP stays allocated", async () => {
    const { client: a, url } = get();
    const api = publicIpApi(a);
    await a.createTenant({ name: 'pip-b', admin: { email: 'b@pip-b.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@pip-b.test', password: 'Tenant-B-Password-1' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const bToken: string = (await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } })).body.secret;
    const b = new KumulusClient({ baseUrl: url, token: bToken });
    const bapi = publicIpApi(b);
    const mine = await api.get('b');
    await fails(bapi.get(mine.id), 404, 'PUBLIC_IP_NOT_FOUND');
    await fails(bapi.assign(mine.id, 'x'), 404, 'PUBLIC_IP_NOT_FOUND');
    await fails(bapi.release(mine.id), 404, 'PUBLIC_IP_NOT_FOUND');
    await fails(bapi.listPools(), 403, 'FORBIDDEN');
    assert.equal((await bapi.list()).items.length, 0);
    const bServer = await b.createServer({ name: 'b-srv', plan: 'nano', image: 'tiny' });
    await fails(api.assign(mine.id, bServer.server.id), 404, 'SERVER_NOT_FOUND', 'server');
    assert.equal((await api.get(mine.id)).server, null, 'nothing changed');

    const s = await a.createServer({ name: 'pip-srv', plan: 'nano', image: 'tiny' });
    assert.equal((await api.assign(mine.id, s.server.id)).server, s.server.id);
    await fails(api.release(mine.id), 409, 'PUBLIC_IP_ASSIGNED');
    await a.waitOperation(s.operation.id, 60);
    await a.waitOperation((await a.deleteServer(s.server.id)).id, 60);
    const kept = await api.get(mine.id);
    assert.equal(kept.server, null, 'unassigned with its server');
    assert.equal(kept.address, mine.address, 'and still allocated');
    await b.waitOperation(bServer.operation.id, 60);
    await b.waitOperation((await b.deleteServer(bServer.server.id)).id, 60);
  });
});
