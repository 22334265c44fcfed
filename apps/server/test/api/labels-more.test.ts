/**
 * Labels on SSH keys, IP pools, snapshots and backups, on both stores: set on create and by
 * PATCH (replaced as a whole), refused with the bad key named, and matched by `label_selector`
 * on their lists exactly as an evaluation apart from the server's (../selectors.ts) decides.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ApiError, backupApi, type LabelledListQuery, publicIpApi } from '@kumulus/api';
import { newSshPublicKey } from '../ssh-key.ts';
import { holds, LABEL_SETS, selectors, text } from '../selectors.ts';
import { describeEachStore, raw } from '../stores.ts';

const refused = (field: string) => (e: ApiError) => e.status === 400 && e.code === 'VALIDATION_FAILED' && e.details.some((d) => d.field === field);

describeEachStore('labels on keys, pools, snapshots and backups', (get) => {
  test('SSH keys carry labels and their list keeps what every selector of the grammar keeps', async () => {
    const { client: c, url, operatorToken: token } = get();
    for (const [name, labels] of Object.entries(LABEL_SETS)) await c.createSshKey({ name, publicKey: newSshPublicKey(name), labels });
    assert.deepEqual((await c.getSshKey('s2')).labels, LABEL_SETS.s2);
    await assert.rejects(c.createSshKey({ name: 'bad', publicKey: newSshPublicKey('bad'), labels: { '-x': 'y' } }), refused('labels.-x'));
    assert.equal((await c.listSshKeys({ label_selector: '!nothing' })).items.length, 4, 'the refused key was not saved');
    let checked = 0;
    for (const sel of selectors()) {
      const want = Object.keys(LABEL_SETS).filter((n) => holds(sel, LABEL_SETS[n]!)).sort();
      for (const q of [{}, { sort: 'name:desc' }, { per_page: 1 }] as LabelledListQuery[]) {
        const got = (await c.all((qq) => c.listSshKeys({ ...qq, label_selector: sel.map(text).join(',') }), q)).map((k) => k.name).sort();
        assert.deepEqual(got, want, `${sel.map(text).join(',')} ${JSON.stringify(q)}`);
        checked++;
      }
    }
    assert.equal(checked, 63);
    const patched = await c.updateSshKey('s4', { labels: { env: 'prod' } });
    assert.deepEqual(patched.labels, { env: 'prod' });
    assert.deepEqual((await c.listSshKeys({ label_selector: 'env=prod', sort: 'name' })).items.map((k) => k.name), ['s1', 's2', 's4']);
    assert.equal((await c.updateSshKey('s4', { name: 's4b' })).labels.env, 'prod', 'a rename keeps the labels');
    const bad = await raw(url, 'GET', `/ssh-keys?label_selector=${encodeURIComponent('a in b')}`, { token, headers: { 'accept-language': 'de' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'LABEL_SELECTOR_INVALID');
    for (const k of await c.all((q) => c.listSshKeys(q))) await c.deleteSshKey(k.id);
  });

  test('IP pools carry labels, set by operators and selected by label_selector', async () => {
    const api = publicIpApi(get().client);
    const a = await api.createPool({ name: 'lbl-a', range: '203.0.113.0/28', uplink: 'kmtnoup0', labels: { site: 'fra', tier: 'gold' } });
    const b = await api.createPool({ name: 'lbl-b', range: '203.0.113.16/28', uplink: 'kmtnoup0' });
    try {
      assert.deepEqual(a.labels, { site: 'fra', tier: 'gold' });
      assert.deepEqual(b.labels, {});
      const names = async (label_selector: string) => (await api.listPools({ label_selector, sort: 'name' })).items.map((p) => p.name);
      assert.deepEqual(await names('site=fra'), ['lbl-a']);
      assert.deepEqual(await names('!site'), ['lbl-b']);
      assert.deepEqual((await api.updatePool('lbl-b', { labels: { site: 'ber' } })).labels, { site: 'ber' });
      assert.deepEqual(await names('site in (fra,ber)'), ['lbl-a', 'lbl-b']);
      assert.equal((await api.updatePool('lbl-a', { cooldownSeconds: 60 })).labels.tier, 'gold', 'other changes keep the labels');
      await assert.rejects(api.updatePool('lbl-a', { labels: { 'Bad_Prefix/k': 'v' } }), refused('labels.Bad_Prefix/k'));
    } finally {
      await api.deletePool(a.id);
      await api.deletePool(b.id);
    }
  });

  test('firewalls carry labels, set on create and by PATCH, selected on their list', async () => {
    const { client: c } = get();
    const a = await c.createFirewall({ name: 'lbl-fw-a', labels: { role: 'edge' } });
    const b = await c.createFirewall({ name: 'lbl-fw-b' });
    assert.deepEqual([a.labels, b.labels], [{ role: 'edge' }, {}]);
    const names = async (label_selector: string) => (await c.listFirewalls({ label_selector, sort: 'name' })).items.map((f) => f.name);
    assert.deepEqual(await names('role=edge'), ['lbl-fw-a']);
    assert.deepEqual((await c.updateFirewall('lbl-fw-b', { labels: { role: 'core' } })).labels, { role: 'core' });
    assert.deepEqual(await names('role in (edge,core)'), ['lbl-fw-a', 'lbl-fw-b']);
    assert.equal((await c.updateFirewall('lbl-fw-a', { inbound: [] })).labels.role, 'edge', 'new rules keep the labels');
    await assert.rejects(c.createFirewall({ name: 'lbl-fw-c', labels: { 'a/b/c': 'x' } }), refused('labels.a/b/c'));
    assert.deepEqual(await names('!nothing'), ['lbl-fw-a', 'lbl-fw-b'], 'the refused one was not made');
    for (const f of [a, b]) await c.deleteFirewall(f.id);
  });

  test('snapshots and backups carry labels, set on create and by PATCH, selected on their lists', { timeout: 900_000 }, async () => {
    const { client: c, dataDir } = get();
    const vol = await c.createVolume({ name: 'lbl-vol', sizeGb: 1 });
    assert.equal((await c.waitOperation(vol.operation.id, 90)).state, 'succeeded');
    const one = await c.createSnapshot('volumes', 'lbl-vol', { name: 'one', labels: { keep: 'yes' } });
    assert.equal((await c.waitOperation(one.operation.id, 90)).state, 'succeeded');
    const two = await c.createSnapshot('volumes', 'lbl-vol', { name: 'two' });
    assert.equal((await c.waitOperation(two.operation.id, 90)).state, 'succeeded');
    await assert.rejects(c.createSnapshot('volumes', 'lbl-vol', { name: 'three', labels: { k: '-v' } }), refused('labels.k'));
    const snaps = async (label_selector: string) => (await c.listSnapshots('volumes', 'lbl-vol', { label_selector })).items.map((s) => s.name);
    assert.deepEqual(await snaps('keep'), ['one']);
    assert.deepEqual(await snaps('!keep'), ['two']);
    const patched = await c.updateSnapshot('volumes', 'lbl-vol', 'two', { labels: { keep: 'no' }, description: 'after' });
    assert.deepEqual([patched.labels, patched.description], [{ keep: 'no' }, 'after']);
    assert.deepEqual(await snaps('keep notin (yes)'), ['two']);
    assert.equal((await c.getSnapshot('volumes', 'lbl-vol', 'one')).labels.keep, 'yes');
    for (const s of ['one', 'two']) assert.equal((await c.waitOperation((await c.deleteSnapshot('volumes', 'lbl-vol', s)).id, 90)).state, 'succeeded');
    assert.equal((await c.waitOperation((await c.deleteVolume('lbl-vol')).id, 90)).state, 'succeeded');

    const api = backupApi(c);
    await api.createTarget({ name: 'lbl-target', kind: 'dir', path: join(dataDir, 'lbl-backups'), default: true });
    const srv = await c.createServer({ name: 'lbl-srv', plan: 'nano', image: 'tiny', start: false });
    assert.equal((await c.waitOperation(srv.operation.id, 120)).state, 'succeeded');
    const made = await api.create('lbl-srv', { mode: 'stop', labels: { why: 'upgrade' } });
    assert.deepEqual(made.backup.labels, { why: 'upgrade' });
    const backups = async (q: LabelledListQuery & { server?: string }) => (await api.list(q)).items.map((b) => b.id);
    assert.deepEqual(await backups({ label_selector: 'why=upgrade' }), [made.backup.id]);
    assert.deepEqual(await backups({ label_selector: 'why=upgrade', server: 'lbl-srv', sort: 'created:desc' }), [made.backup.id]);
    assert.deepEqual(await backups({ label_selector: 'why!=upgrade' }), []);
    for (let left = 900; ; left -= 120) {
      const op = await c.waitOperation(made.operation.id, 120);
      if (op.state === 'succeeded' || op.state === 'failed' || left <= 120) {
        assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
        break;
      }
    }
    assert.deepEqual((await api.update(made.backup.id, { labels: { why: 'weekly' } })).labels, { why: 'weekly' });
    assert.deepEqual(await backups({ label_selector: 'why in (weekly)' }), [made.backup.id]);
    assert.equal((await api.update(made.backup.id, { notes: 'n' })).labels.why, 'weekly', 'notes alone keep the labels');
    await assert.rejects(api.update(made.backup.id, { labels: { '': 'x' } }), (e: ApiError) => e.status === 400);
    assert.equal((await c.waitOperation((await api.delete(made.backup.id)).id, 120)).state, 'succeeded');
    assert.equal((await c.waitOperation((await c.deleteServer('lbl-srv')).id, 120)).state, 'succeeded');
  });
});
