/**
 * Server labels on both stores: set at create, replaced by PATCH, validated like Kubernetes
 * labels with the bad key named, and `label_selector` filters the server list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('server labels', (get) => {
  test('labels are kept, replaced, validated and selected by', async () => {
    const { client: c, url, operatorToken: token } = get();
    const made = [
      await c.createServer({ name: 'web1', plan: 'nano', image: 'tiny', start: false, labels: { env: 'prod', app: 'web' } }),
      await c.createServer({ name: 'db1', plan: 'nano', image: 'tiny', start: false, labels: { env: 'prod', tier: 'db', 'example.com/backup': '' } }),
      await c.createServer({ name: 'old1', plan: 'nano', image: 'tiny', start: false, labels: { env: 'test', legacy: 'yes' } }),
    ];
    assert.deepEqual(made[0]!.server.labels, { env: 'prod', app: 'web' });
    assert.deepEqual((await c.getServer('db1')).labels, { env: 'prod', tier: 'db', 'example.com/backup': '' });

    const names = async (selector: string) => (await c.listServers({ label_selector: selector })).items.map((s) => s.name).sort();
    assert.deepEqual(await names('env=prod'), ['db1', 'web1']);
    assert.deepEqual(await names('env=prod,tier!=db'), ['web1']);
    assert.deepEqual(await names('app in (web,api),!legacy'), ['web1']);
    assert.deepEqual(await names('example.com/backup'), ['db1']);
    assert.deepEqual(await names('env notin (prod)'), ['old1']);
    const page1 = await c.listServers({ label_selector: 'env', limit: 2 });
    assert.equal(page1.items.length, 2);
    const page2 = await c.listServers({ label_selector: 'env', limit: 2, cursor: page1.nextCursor! });
    assert.deepEqual([...page1.items, ...page2.items].map((s) => s.name), ['web1', 'db1', 'old1'], 'pages of a filtered list join up');
    assert.equal(page2.nextCursor, null);

    const updated = await c.updateServer('old1', { labels: { env: 'prod' } });
    assert.deepEqual(updated.labels, { env: 'prod' });
    assert.equal(updated.generation, made[2]!.server.generation, 'labels are metadata: no new generation');
    assert.deepEqual(await names('env=prod,!legacy'), ['db1', 'old1', 'web1']);

    const bad = await raw(url, 'GET', `/servers?label_selector=${encodeURIComponent('env=prod tier=db')}`, { token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'LABEL_SELECTOR_INVALID');
    assert.match(bad.body.error.message, /position 10/);
    assert.equal(bad.body.error.details[0].field, 'label_selector');

    for (const [labels, field] of [[{ '-env': 'x' }, 'labels.-env'], [{ env: 'a b' }, 'labels.env'], [{ 'Bad_Prefix/x': '1' }, 'labels.Bad_Prefix/x']] as const) {
      const res = await raw(url, 'PATCH', '/servers/web1', { token, body: JSON.stringify({ labels }) });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field), [field]);
      const create = await raw(url, 'POST', '/servers', { token, body: JSON.stringify({ name: 'x9', plan: 'nano', image: 'tiny', start: false, labels }) });
      assert.equal(create.status, 400);
    }
    assert.deepEqual((await c.getServer('web1')).labels, { env: 'prod', app: 'web' }, 'a refused change loses nothing');
    await assert.rejects(c.getServer('x9'));
    for (const m of made) await c.waitOperation((await c.deleteServer(m.server.id)).id, 60);
  });
});
