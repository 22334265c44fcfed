/**
 * Renaming a server on real LXC, on both stores: the name is validated and unique per tenant as at
 * create, a refused rename changes nothing, and a hostname that was the name follows it live
 * inside the running guest, on its next start and in the DNS of its vSwitch.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiError } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('server rename', (get) => {
  const sh = async (id: string, script: string) => {
    const r = await lxcAttach(join(get().dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
    return `${r.stdout}${r.stderr}`.trim();
  };
  /** Asks the vSwitch's DNS from `from` until it answers `name` (the network reconciler follows the rename). */
  const resolves = async (from: string, name: string) => {
    for (let i = 0; i < 60; i++) {
      const out = await sh(from, `nslookup ${name}`);
      if (/10\.75\.0\.\d+/.test(out.split('\n').slice(2).join('\n'))) return out;
      await new Promise((r) => setTimeout(r, 500));
    }
    return sh(from, `nslookup ${name}`);
  };

  test('rename checks the name, the hostname follows in the guest and on the vSwitch', async () => {
    const { client: c, url, operatorToken: token } = get();
    const net = await c.createNetwork({ name: 'ren', ipv4Cidr: '10.75.0.0/24' });
    assert.equal((await c.waitOperation(net.operation.id, 60)).state, 'succeeded');
    const alpha = await c.createServer({ name: 'alpha', plan: 'nano', image: 'tiny', nics: [{ network: 'ren' }], labels: { env: 'prod' } });
    const peer = await c.createServer({ name: 'peer', plan: 'nano', image: 'tiny', nics: [{ network: 'ren' }] });
    const own = await c.createServer({ name: 'own', plan: 'nano', image: 'tiny', hostname: 'chosen', start: false });
    for (const r of [alpha, peer, own]) assert.equal((await c.waitOperation(r.operation.id, 60)).state, 'succeeded');
    const id = alpha.server.id;
    assert.equal(await sh(id, 'hostname'), 'alpha');

    const taken = await raw(url, 'PATCH', `/servers/${id}`, { token, body: JSON.stringify({ name: 'peer' }) });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'NAME_TAKEN');
    assert.equal(taken.body.error.details[0].field, 'name');
    for (const body of [{ name: 'Bad_Name' }, { name: '' }, { name: 'x'.repeat(64) }, {}, { name: 'ok', extra: 1 }]) {
      const bad = await raw(url, 'PATCH', `/servers/${id}`, { token, body: JSON.stringify(body) });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    }
    const still = await c.getServer(id);
    assert.equal(still.name, 'alpha', 'a refused rename changes nothing');
    assert.equal(still.spec.hostname, 'alpha');

    const renamed = await c.updateServer(id, { name: 'beta' });
    assert.equal(renamed.name, 'beta');
    assert.equal(renamed.spec.hostname, 'beta', 'the hostname was the name: it follows');
    assert.deepEqual(renamed.labels, { env: 'prod' }, 'labels left out stay');
    const ops = (await c.listOperations({ order: 'desc' })).items.filter((o) => o.target.id === id && o.kind === 'server.rename');
    assert.equal(ops.length, 1);
    assert.equal((await c.waitOperation(ops[0]!.id, 60)).state, 'succeeded');
    assert.equal(await sh(id, 'hostname'), 'beta', 'live, without a restart');
    assert.equal(await sh(id, 'cat /etc/hostname'), 'beta');
    assert.match(await sh(id, 'cat /etc/hosts'), /^127\.0\.1\.1 beta$/m);
    assert.match(await resolves(peer.server.id, 'beta.ren.internal'), /10\.75\.0\./, 'the vSwitch serves the new name');
    assert.equal((await c.getServer('beta')).id, id);
    await assert.rejects(c.getServer('alpha'), (e: ApiError) => e.code === 'SERVER_NOT_FOUND');

    await c.waitOperation((await c.serverAction(id, 'stop')).id, 60);
    await c.waitOperation((await c.serverAction(id, 'start')).id, 60);
    assert.equal(await sh(id, 'hostname'), 'beta', 'and on the next start');

    // A hostname chosen apart from the name stays; renaming to its own name is a no-op.
    const ownRenamed = await c.updateServer('own', { name: 'own2' });
    assert.equal(ownRenamed.spec.hostname, 'chosen');
    assert.equal(ownRenamed.generation, own.server.generation, 'only the API name changed: no new generation');
    assert.equal((await c.updateServer('own2', { name: 'own2' })).generation, own.server.generation);
    const db = get().running.store.db;
    const audited = await db.selectFrom('audit_log').select(['target_id', 'detail']).where('action', '=', 'server.rename').orderBy('id').execute();
    assert.deepEqual(audited.map((a) => [a.target_id, JSON.parse(a.detail).to]), [[id, 'beta'], [own.server.id, 'own2']], 'each rename is audited once, with its new name');

    for (const s of [alpha, peer, own]) await c.waitOperation((await c.deleteServer(s.server.id)).id, 60);
    await c.waitOperation((await c.deleteNetwork('ren')).id, 60);
  });
});
