/**
 * Every list through one helper, on both stores: `sort` by the keys a list names (a bad key is
 * SORT_KEY_INVALID naming the known ones), `page`/`per_page` with Hetzner's pagination meta,
 * `label_selector` on labelled lists, a property check of selectors against an evaluation written
 * here, and all of it in the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelledListQuery, ListQuery } from '@kumulus/api';
import { newSshPublicKey } from '../ssh-key.ts';
import { ATOMS as atoms, holds, LABEL_SETS as sets, text } from '../selectors.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('list sort, paging and label selectors', (get) => {
  test('sort by name and created, page by number, refuse unknown keys', async () => {
    const { client: c, url, operatorToken: token } = get();
    for (const name of ['bravo', 'alpha', 'charlie']) await c.createSshKey({ name, publicKey: newSshPublicKey(name) });
    const names = async (q: ListQuery) => (await c.listSshKeys(q)).items.map((k) => k.name);
    assert.deepEqual(await names({ sort: 'name:asc' }), ['alpha', 'bravo', 'charlie']);
    assert.deepEqual(await names({ sort: 'name:desc' }), ['charlie', 'bravo', 'alpha']);
    assert.deepEqual(await names({ sort: 'name' }), ['alpha', 'bravo', 'charlie'], 'asc when no direction is named');
    assert.deepEqual(await names({ sort: 'created:desc' }), ['charlie', 'alpha', 'bravo']);
    assert.deepEqual(await names({ sort: 'created' }), ['bravo', 'alpha', 'charlie']);

    const first = await c.listSshKeys({ sort: 'name', per_page: 2 });
    assert.deepEqual(first.items.map((k) => k.name), ['alpha', 'bravo']);
    assert.deepEqual(first.meta?.pagination, { page: 1, perPage: 2, previousPage: null, nextPage: 2, lastPage: 2, totalEntries: 3 });
    const second = await c.listSshKeys({ sort: 'name', per_page: 2, page: 2 });
    assert.deepEqual(second.items.map((k) => k.name), ['charlie']);
    assert.deepEqual(second.meta?.pagination, { page: 2, perPage: 2, previousPage: 1, nextPage: null, lastPage: 2, totalEntries: 3 });
    assert.equal((await c.listSshKeys({ page: 3, per_page: 2 })).items.length, 0, 'past the end: an empty page');
    assert.deepEqual((await c.all((q) => c.listSshKeys(q), { sort: 'name:desc' })).map((k) => k.name), ['charlie', 'bravo', 'alpha'], 'all() follows the pages');
    const byCursor = await c.listSshKeys({ limit: 2 });
    assert.equal(byCursor.meta, undefined, 'in id order the list still pages by cursor');
    assert.equal((await c.listSshKeys({ limit: 2, cursor: byCursor.nextCursor! })).items.length, 1);

    for (const [sort, lang, pattern] of [
      ['colour', 'en', /cannot be sorted by "colour"\. Sort by created, id, name/],
      ['name:up', 'de', /nicht nach "name:up" sortieren\. Sortieren Sie nach created, id, name/],
      ['name:asc:desc', 'en', /name:asc:desc/],
    ] as const) {
      const res = await raw(url, 'GET', `/ssh-keys?sort=${encodeURIComponent(sort)}`, { token, headers: { 'accept-language': lang } });
      assert.equal(res.status, 400, sort);
      assert.equal(res.body.error.code, 'SORT_KEY_INVALID');
      assert.match(res.body.error.message, pattern);
      assert.equal(res.body.error.details[0].field, 'sort');
    }
    const keysOfOps = await raw(url, 'GET', '/operations?sort=name', { token });
    assert.equal(keysOfOps.status, 400);
    assert.match(keysOfOps.body.error.message, /created, id, kind, state/, 'each list names its own keys');
    const mixed = await raw(url, 'GET', `/ssh-keys?sort=name&cursor=${byCursor.nextCursor}`, { token });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.error.details[0].field, 'cursor');
    for (const q of ['page=0', 'per_page=501', 'page=x']) assert.equal((await raw(url, 'GET', `/ssh-keys?${q}`, { token })).status, 400, q);

    assert.deepEqual((await c.listPlans({ sort: 'name:desc' })).items.map((p) => p.name), (await c.all((q) => c.listPlans(q))).map((p) => p.name).sort().reverse(), 'plans sort too');
    for (const k of await c.all((q) => c.listSshKeys(q))) await c.deleteSshKey(k.id);
  });

  test('label_selector with sort and pages on servers, and a property check of selectors', async () => {
    const { client: c, url, operatorToken: token } = get();
    const made = [];
    for (const [name, labels] of Object.entries(sets)) made.push(await c.createServer({ name, plan: 'nano', image: 'tiny', start: false, labels }));
    const names = async (q: LabelledListQuery) => (await c.listServers(q)).items.map((s) => s.name);
    assert.deepEqual(await names({ label_selector: 'env=prod', sort: 'name:desc' }), ['s2', 's1']);
    const page = await c.listServers({ label_selector: 'tier', sort: 'name', per_page: 2, page: 2 });
    assert.deepEqual(page.items.map((s) => s.name), ['s3']);
    assert.equal(page.meta?.pagination.totalEntries, 3, 'the total counts what the selector keeps');
    // The status filter (phases, comma-separated) pages with the selector and the sort.
    for (const m of made) await c.waitOperation(m.operation.id, 60);
    assert.deepEqual(await names({ status: 'Stopped', label_selector: 'env=prod', sort: 'name' } as LabelledListQuery), ['s1', 's2']);
    assert.deepEqual(await names({ status: 'Running,Failed' } as LabelledListQuery), []);
    const stopped = await c.listServers({ status: 'Stopped,Running', per_page: 3 });
    assert.equal(stopped.meta?.pagination.totalEntries, 4);
    const badStatus = await raw(url, 'GET', '/servers?status=Sleeping', { token });
    assert.equal(badStatus.status, 400);
    assert.match(JSON.stringify(badStatus.body.error.details), /status/);

    // Every selector of a small grammar: the API keeps exactly what the evaluation in ../selectors.ts keeps.
    let checked = 0;
    for (let i = 0; i < atoms.length; i++) {
      for (let j = i; j < atoms.length; j++) {
        const sel = i === j ? [atoms[i]!] : [atoms[i]!, atoms[j]!];
        const want = Object.keys(sets).filter((n) => holds(sel, sets[n]!)).sort();
        for (const q of [{}, { sort: 'name' }, { per_page: 1 }]) {
          const got = (await c.all((qq) => c.listServers({ ...qq, label_selector: sel.map(text).join(',') }), q)).map((s) => s.name).sort();
          assert.deepEqual(got, want, `${sel.map(text).join(',')} ${JSON.stringify(q)}`);
          checked++;
        }
      }
    }
    assert.equal(checked, 63);
    const bad = await raw(url, 'GET', `/volumes?label_selector=${encodeURIComponent('a in b')}`, { token });
    assert.equal(bad.body.error.code, 'LABEL_SELECTOR_INVALID', 'volumes take label_selector too');
    // Volumes (and backups and snapshots, by the same paging helper) filter by their own phases.
    const vols = [];
    for (const [name, labels] of [['v1', { env: 'prod' }], ['v2', {}]] as const) vols.push(await c.createVolume({ name, sizeGb: 1, labels }));
    for (const v of vols) assert.equal((await c.waitOperation(v.operation.id, 60)).state, 'succeeded');
    assert.deepEqual((await c.listVolumes({ status: 'Available', label_selector: 'env=prod' })).items.map((v) => v.name), ['v1']);
    assert.deepEqual((await c.listVolumes({ status: 'Attached,Failed' })).items, []);
    const badVolumeStatus = await raw(url, 'GET', '/volumes?status=Running', { token });
    assert.equal(badVolumeStatus.status, 400, 'Running is a server phase, not a volume one');
    assert.match(JSON.stringify(badVolumeStatus.body.error.details), /status/);
    for (const v of vols) await c.waitOperation((await c.deleteVolume(v.volume.id)).id, 60);
    for (const m of made) await c.waitOperation((await c.deleteServer(m.server.id)).id, 60);
  });

  test('the OpenAPI document names sort, paging and the errors on the lists', async () => {
    const doc = (await (await fetch(`${get().url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    for (const path of ['/api/v1/servers', '/api/v1/ssh-keys', '/api/v1/networks', '/api/v1/volumes', '/api/v1/operations', '/api/v1/public-ips']) {
      const op = doc.paths[path]?.get;
      assert.ok(op, path);
      const params = (op.parameters ?? []).map((p) => p.name);
      for (const n of ['sort', 'page', 'per_page']) assert.ok(params.includes(n), `${path} documents ${n}`);
      assert.match(JSON.stringify(op.responses['400']), /SORT_KEY_INVALID/, `${path} documents SORT_KEY_INVALID`);
    }
    for (const path of ['/api/v1/servers', '/api/v1/volumes', '/api/v1/public-ips', '/api/v1/ssh-keys', '/api/v1/ip-pools', '/api/v1/backups', '/api/v1/networks', '/api/v1/firewalls', '/api/v1/servers/{id}/snapshots', '/api/v1/volumes/{id}/snapshots', '/api/v1/servers/{id}/backups']) {
      assert.ok(doc.paths[path]!.get!.parameters!.some((p) => p.name === 'label_selector'), path);
      assert.match(JSON.stringify(doc.paths[path]!.get!.responses['400']), /LABEL_SELECTOR_INVALID/, `${path} documents LABEL_SELECTOR_INVALID`);
    }
  });
});
