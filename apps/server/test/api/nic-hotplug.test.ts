/**
 * NIC hot-plug with real packets: a NIC attached to a running server answers on its new
 * address from another server on that vSwitch, without a restart, and keeps it across a stop
 * and start; detached, it no longer answers, its host link is gone and its address is released.
 * Bad requests change nothing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { linkExists, vethName } from '../../src/drivers/local/network.ts';
import { startTestServer, type TestServer } from '../harness.ts';

describe('NIC hot-plug', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`;
  };
  const refused = async (p: Promise<unknown>, status: number, code: string, field?: string) => {
    const err = await p.then(() => null, (e: unknown) => e);
    assert.ok(err instanceof ApiError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    if (field) assert.ok(err.details.some((d) => d.field === field), `details name ${field}: ${JSON.stringify(err.details)}`);
  };

  test('attach to a running server, reach it, survive stop/start, detach', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'hot', ipv4Cidr: '10.74.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const peer = await c.createServer({ name: 'peer', plan: 'nano', image: 'tiny', nics: [{ network: 'hot' }] });
    const late = await c.createServer({ name: 'late', plan: 'nano', image: 'tiny' });
    for (const r of [peer, late]) assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    const pidBefore = await sh(late.server.id, 'cat /proc/1/stat');

    const attached = await c.attachNic('late', { network: 'hot', ipv4: '10.74.0.40' });
    assert.equal((await c.waitOperation(attached.operation.id, 60)).state, 'succeeded');
    assert.equal(attached.nic.ipv4, '10.74.0.40/24');
    const listed = await c.listServerNics('late');
    assert.deepEqual(listed.items.map((n) => [n.ipv4.split('.')[0], n.state]), [['10', 'attached'], ['10', 'attached']]);
    assert.match(await sh(late.server.id, 'ip -o addr show'), /10\.74\.0\.40\/24/, 'the guest has the address');
    assert.equal(await sh(late.server.id, 'cat /proc/1/stat'), pidBefore, 'no restart: the same init');
    assert.match(await sh(peer.server.id, 'ping -c 1 -W 2 10.74.0.40'), /1 packets received/, 'the new address answers on the vSwitch');
    assert.match(await sh(peer.server.id, 'nslookup late.hot.internal'), /10\.74\.0\.40/, 'and by name');
    assert.match(await sh(late.server.id, 'cat /etc/resolv.conf'), /nameserver 10\.74\.0\.1/, "the guest asks the vSwitch's DNS");
    const config = await readFile(join(s.dataDir, 'lxc', late.server.id, 'config'), 'utf8');
    assert.match(config, new RegExp(`veth\\.pair = ${vethName(attached.nic.id)}`), 'the config has it for the next start');
    assert.doesNotMatch(config, /kumulus\.unplug/);

    // A stop and a start come back with the NIC, from the config.
    assert.equal((await c.waitOperation((await c.serverAction('late', 'stop')).id, 60)).state, 'succeeded');
    assert.equal((await c.waitOperation((await c.serverAction('late', 'start')).id, 60)).state, 'succeeded');
    assert.match(await sh(peer.server.id, 'ping -c 1 -W 2 10.74.0.40'), /1 packets received/, 'after a stop and start');

    const op = await c.detachNic('late', attached.nic.id);
    assert.equal((await c.waitOperation(op.id, 60)).state, 'succeeded');
    assert.doesNotMatch(await sh(peer.server.id, 'ping -c 2 -W 1 10.74.0.40'), /[12] packets received/, 'detached: no answer');
    assert.equal(await linkExists(vethName(attached.nic.id)), false, 'no host link left');
    assert.doesNotMatch(await sh(late.server.id, 'ip -o addr show'), /10\.74\.0\.40/);
    assert.ok(!(await c.listNetworkAllocations('hot')).items.some((a) => a.nicId === attached.nic.id), 'the address is released');
    assert.equal((await c.listServerNics('late')).items.length, 1);
    for (const r of [peer, late]) await c.waitOperation((await c.deleteServer(r.server.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork('hot')).id, 60);
  });

  test('bad requests are refused with the field named, and change nothing', async () => {
    const c = s.client;
    const net = await c.createNetwork({ name: 'strict', ipv4Cidr: '10.75.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const one = await c.createServer({ name: 'one', plan: 'nano', image: 'tiny', start: false, nics: [{ network: 'strict', ipv4: '10.75.0.10' }] });
    const two = await c.createServer({ name: 'two', plan: 'nano', image: 'tiny', start: false });
    for (const r of [one, two]) assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    const before = await c.getServer('two');
    const allocations = await c.listNetworkAllocations('strict');

    await refused(c.attachNic('two', { network: 'nowhere' }), 404, 'NETWORK_NOT_FOUND', 'network');
    await refused(c.attachNic('two', { network: 'strict', ipv4: '10.76.0.5' }), 400, 'VALIDATION_FAILED', 'ipv4');
    await refused(c.attachNic('two', { network: 'strict', ipv4: '10.75.0.10' }), 409, 'ADDRESS_TAKEN', 'ipv4');
    await refused(c.attachNic('one', { network: 'strict' }), 409, 'NIC_ON_NETWORK', 'network');
    await refused(c.attachNic('nobody', { network: 'strict' }), 404, 'SERVER_NOT_FOUND');
    await refused(c.detachNic('two', before.spec.nics[0]!.id), 409, 'LAST_NIC');
    await refused(c.detachNic('two', one.server.spec.nics[0]!.id), 404, 'NIC_NOT_FOUND');

    const afterwards = await c.getServer('two');
    assert.equal(afterwards.generation, before.generation, 'no spec change');
    assert.deepEqual(await c.listNetworkAllocations('strict'), allocations, 'no address taken');
    for (const r of [one, two]) await c.waitOperation((await c.deleteServer(r.server.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork('strict')).id, 60);
  });
});
