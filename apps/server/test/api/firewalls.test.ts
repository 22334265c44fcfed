/**
 * The firewalls API on both stores: CRUD, apply-to and remove-from with references stored by
 * id, the preview of a change (what it opens and closes per NIC, nothing written), zones with
 * public IP pools, and bad input answered with a 4xx naming the field while nothing changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiError, KumulusClient } from '@kumulus/api';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('firewalls API', (get) => {
  test('create, show, update, apply, remove and delete', async () => {
    const { client: c } = get();
    const srv = await c.createServer({ name: 'fw-web', plan: 'nano', image: 'tiny', start: false });
    const made = await c.createFirewall({ name: 'web', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['80', '8000-8100'], peers: [{ cidr: '10.0.0.0/8' }, { server: 'fw-web' }, { network: 'default' }, { labelSelector: 'env=prod' }] }] });
    assert.deepEqual(made.inbound[0]!.peers, [{ cidr: '10.0.0.0/8' }, { server: srv.server.id }, { network: 'default' }, { labelSelector: 'env=prod' }], 'a server is referenced by id');
    assert.deepEqual(made.appliedTo, []);
    const applied = await c.applyFirewall('web', [{ type: 'server', server: 'fw-web' }, { type: 'label_selector', selector: 'tier=db' }, { type: 'server', server: srv.server.id }]);
    assert.deepEqual(applied.appliedTo, [{ type: 'server', server: srv.server.id }, { type: 'label_selector', selector: 'tier=db' }], 'a target given twice is applied once');
    await assert.rejects(c.deleteFirewall('web'), (e: ApiError) => e.status === 409 && e.code === 'FIREWALL_IN_USE');
    const updated = await c.updateFirewall(made.id, { name: 'web2', outbound: [{ action: 'drop', protocol: 'gre' }] });
    assert.equal(updated.name, 'web2');
    assert.equal(updated.inbound.length, 1, 'rules not named stay');
    assert.equal(updated.generation, 3);
    const removed = await c.removeFirewall('web2', [{ type: 'server', server: 'fw-web' }, { type: 'label_selector', selector: 'tier=db' }]);
    assert.deepEqual(removed.appliedTo, []);
    assert.deepEqual((await c.listFirewalls()).items.map((f) => f.name), ['web2']);
    await c.deleteFirewall('web2');
    await assert.rejects(c.getFirewall('web2'), (e: ApiError) => e.status === 404 && e.code === 'FIREWALL_NOT_FOUND');
    await c.waitOperation((await c.deleteServer(srv.server.id)).id, 60);
  });

  test('bad input answers 4xx naming the field; a foreign server is not found', async () => {
    const { client: c, url, operatorToken: token } = get();
    await c.createTenant({ name: 'fw-other', admin: { email: 'b@fw-other.test', password: 'Tenant-B-Password-1' } });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b@fw-other.test', password: 'Tenant-B-Password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const b = new KumulusClient({ baseUrl: url, token: (await raw(url, 'POST', '/tokens', { body: '{"name":"b"}', headers: { cookie, origin: url } })).body.secret });
    const foreign = await b.createServer({ name: 'theirs', plan: 'nano', image: 'tiny', start: false });
    const rule = (r: object) => ({ name: 'bad', inbound: [{ action: 'accept', protocol: 'tcp', ...r }] });
    const cases: [object, number, string, string][] = [
      [rule({ ports: ['90-80'] }), 400, 'VALIDATION_FAILED', 'inbound[0].ports[0]'],
      [rule({ ports: ['70000'] }), 400, 'VALIDATION_FAILED', 'inbound[0].ports[0]'],
      [rule({ ports: ['0'] }), 400, 'VALIDATION_FAILED', 'inbound[0].ports[0]'],
      [{ name: 'bad', inbound: [{ action: 'accept', protocol: 'icmp', ports: ['22'] }] }, 400, 'VALIDATION_FAILED', 'inbound[0].ports'],
      [rule({ peers: [{ cidr: '10.0.0.300/8' }] }), 400, 'VALIDATION_FAILED', 'inbound[0].peers[0].cidr'],
      [rule({ peers: [{ cidr: '10.0.0.1/8' }] }), 400, 'VALIDATION_FAILED', 'inbound[0].peers[0].cidr'],
      [rule({ peers: [{ cidr: 'fd00::/129' }] }), 400, 'VALIDATION_FAILED', 'inbound[0].peers[0].cidr'],
      [rule({ peers: [{ labelSelector: 'env in (a' }] }), 400, 'LABEL_SELECTOR_INVALID', 'inbound[0].peers[0].labelSelector'],
      [rule({ peers: [{ server: foreign.server.id }] }), 404, 'SERVER_NOT_FOUND', 'inbound[0].peers[0].server'],
      [rule({ peers: [{ network: 'nope' }] }), 404, 'NETWORK_NOT_FOUND', 'inbound[0].peers[0].network'],
      [{ name: 'bad', applyTo: [{ type: 'server', server: foreign.server.id }] }, 404, 'SERVER_NOT_FOUND', 'applyTo[0].server'],
      [{ name: 'bad', applyTo: [{ type: 'label_selector', selector: '!' }] }, 400, 'LABEL_SELECTOR_INVALID', 'applyTo[0].selector'],
      [{ name: 'bad', inbound: [{ action: 'allow', protocol: 'tcp' }] }, 400, 'VALIDATION_FAILED', 'inbound/0/action'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await raw(url, 'POST', '/firewalls', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field.replaceAll('/', '.').includes(field.replaceAll('/', '.'))), `names ${field}: ${JSON.stringify(res.body.error)}`);
    }
    assert.deepEqual((await c.listFirewalls()).items, [], 'nothing was made');
    const mine = await b.createFirewall({ name: 'theirs-fw' });
    const probe = await raw(url, 'GET', `/firewalls/${mine.id}`, { token });
    assert.equal(probe.status, 404, "another tenant's firewall reads as absent");
    await b.deleteFirewall(mine.id);
    await b.waitOperation((await b.deleteServer(foreign.server.id)).id, 60);
  });

  test('preview: what a change opens and closes per NIC, references resolved, nothing written', async () => {
    const { client: c, url, operatorToken: token } = get();
    const made = await c.createServer({ name: 'pv-web', plan: 'nano', image: 'tiny', start: false, labels: { role: 'web' } });
    const peer = await c.createServer({ name: 'pv-peer', plan: 'nano', image: 'tiny', start: false });
    const nic = made.server.spec.nics[0]!.id;
    const peerIp = peer.server.spec.nics[0]!.ipv4.split('/')[0]!;
    // A new firewall by label: the NIC gets its first firewall and port 22 from the peer.
    const first = await c.previewFirewall({ inbound: [{ action: 'accept', protocol: 'tcp', ports: ['22'], peers: [{ server: 'pv-peer' }] }], applyTo: [{ type: 'label_selector', selector: 'role=web' }] });
    assert.equal(first.nics.length, 1, 'only the NIC the change alters');
    const n = first.nics[0]!;
    assert.deepEqual([n.server, n.serverName, n.nic, n.guardedBefore, n.guardedAfter], [made.server.id, 'pv-web', nic, false, true]);
    assert.deepEqual(n.opens.map((r) => [r.direction, r.ports, r.addresses, r.firewall]), [['in', ['22'], [peerIp], '(new)']], 'the reference shows the address it stands for now');
    assert.deepEqual(n.closes, []);
    assert.deepEqual((await c.listFirewalls()).items, [], 'a preview makes nothing');

    const fw = await c.createFirewall({ name: 'pv', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['22'] }], applyTo: [{ type: 'server', server: 'pv-web' }] });
    const change = await c.previewFirewall({ firewall: 'pv', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['443'] }, { action: 'drop', protocol: 'udp' }] });
    const m = change.nics[0]!;
    assert.deepEqual([m.guardedBefore, m.guardedAfter], [true, true]);
    assert.deepEqual(m.opens.map((r) => r.ports), [['443']]);
    assert.deepEqual(m.closes.map((r) => [r.action, r.protocol, r.ports ?? null]), [['accept', 'tcp', ['22']], ['drop', 'udp', null]], 'an accept gone and a drop added both close');
    const off = await c.previewFirewall({ firewall: fw.id, applyTo: [] });
    assert.deepEqual([off.nics[0]!.guardedBefore, off.nics[0]!.guardedAfter], [true, false], 'removed from its only NIC: the NIC opens');
    assert.deepEqual((await c.previewFirewall({ firewall: 'pv', inbound: fw.inbound })).nics, [], 'the same rules change nothing');
    assert.deepEqual((await c.getFirewall('pv')).inbound, fw.inbound, 'nothing was written');

    for (const [body, status, code, field] of [
      [{ inbound: [{ action: 'accept', protocol: 'tcp', ports: ['9-1'] }] }, 400, 'VALIDATION_FAILED', 'inbound[0].ports[0]'],
      [{ firewall: 'nope' }, 404, 'FIREWALL_NOT_FOUND', 'firewall'],
      [{ applyTo: [{ type: 'label_selector', selector: '!' }] }, 400, 'LABEL_SELECTOR_INVALID', 'applyTo[0].selector'],
    ] as const) {
      const res = await raw(url, 'POST', '/firewalls/preview', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === field), `names ${field}: ${JSON.stringify(res.body.error)}`);
    }
    await c.removeFirewall('pv', [{ type: 'server', server: 'pv-web' }]);
    await c.deleteFirewall('pv');
    for (const id of [made.server.id, peer.server.id]) await c.waitOperation((await c.deleteServer(id)).id, 60);
  });

  test('zones hold public IP pools, each pool in one zone; an unknown pool is not found', async () => {
    const { client: c, url, operatorToken: token } = get();
    const pool = await raw(url, 'POST', '/ip-pools', { token, body: JSON.stringify({ name: 'zone-pool', range: '198.51.100.0/28', uplink: 'eth0', mode: 'routed' }) });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));
    const dmz = await c.createZone({ name: 'dmz', purpose: 'server', pools: ['zone-pool'] });
    assert.deepEqual(dmz.pools, [pool.body.id], 'a pool is kept by id');
    const cases = [
      [{ name: 'z2', purpose: 'test', pools: ['zone-pool'] }, 409, 'POOL_IN_ZONE', 'pools[0]'],
      [{ name: 'z3', purpose: 'test', pools: ['no-such-pool'] }, 404, 'IP_POOL_NOT_FOUND', 'pools[0]'],
    ] as const;
    for (const [body, status, code, field] of cases) {
      const res = await raw(url, 'POST', '/zones', { token, body: JSON.stringify(body) });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.code, code);
      assert.ok(res.body.error.details?.some((d: { field: string }) => d.field === field));
    }
    assert.deepEqual((await c.updateZone('dmz', { pools: [] })).pools, []);
    await c.deleteZone('dmz');
    await raw(url, 'DELETE', `/ip-pools/${pool.body.id}`, { token });
  });
});
