/**
 * The firewalls API on both stores: CRUD, apply-to and remove-from with references stored by
 * id, and bad input answered with a 4xx naming the field while nothing changes.
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
});
