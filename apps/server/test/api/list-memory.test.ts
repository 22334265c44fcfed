/**
 * Lists built in memory (prices, hosts, tenant standings, network allocations, server NICs) sort
 * and page as the SQL lists do, on both stores: asked for nothing they answer the whole list as
 * before, a bad sort key is SORT_KEY_INVALID naming the list's keys, a cursor is refused, and the
 * OpenAPI document names the query parameters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore('in-memory lists sort and page', (get) => {
  test('prices, hosts and standings sort, page by number and refuse unknown keys', async () => {
    const { client: c, url, operatorToken: token } = get();
    await c.createPrice({ plan: 'nano', per: 'month', running: '5.00', stopped: '0.50', currency: 'EUR' });
    await c.createPrice({ kind: 'volume', per: 'month', running: '0.04', currency: 'EUR' });
    const prices = (await c.listPrices()).items;
    assert.ok(prices.length >= 2, 'the prices just set');
    assert.equal((await c.listPrices()).meta, undefined, 'asked for nothing: the whole list, no pages');
    const kinds = prices.map((p) => p.kind);
    assert.deepEqual((await c.all((q) => c.listPrices(q), { sort: 'kind:desc' })).map((p) => p.kind), [...kinds].sort().reverse());
    assert.deepEqual((await c.all((q) => c.listPrices(q), { sort: 'id' })).map((p) => p.id), prices.map((p) => p.id).sort());
    const first = await c.listPrices({ sort: 'id', per_page: 1 });
    assert.deepEqual(first.meta?.pagination, { page: 1, perPage: 1, previousPage: null, nextPage: 2, lastPage: prices.length, totalEntries: prices.length });
    const last = await c.listPrices({ sort: 'id', per_page: 1, page: prices.length });
    assert.equal(last.meta?.pagination.nextPage, null);
    assert.equal(last.items[0]!.id, prices.map((p) => p.id).sort().at(-1));
    assert.equal((await c.listPrices({ page: prices.length + 1, per_page: 1 })).items.length, 0, 'past the end: an empty page');
    assert.deepEqual((await c.listPrices({ order: 'desc' })).items.map((p) => p.id), prices.map((p) => p.id).reverse());

    for (const [path, pattern] of [
      ['/prices', /created, effective_from, id, kind, plan/],
      ['/hosts', /cpus, memory, name, servers/],
      ['/billing/standings', /balance, created, id, name, state/],
    ] as const) {
      const res = await raw(url, 'GET', `${path}?sort=colour`, { token });
      assert.equal(res.status, 400, path);
      assert.equal(res.body.error.code, 'SORT_KEY_INVALID');
      assert.match(res.body.error.message, pattern, path);
      assert.equal(res.body.error.details[0].field, 'sort');
      const cursor = await raw(url, 'GET', `${path}?cursor=prc_00000000000000000000`, { token });
      assert.equal(cursor.status, 400, `${path} has no cursor`);
      assert.equal(cursor.body.error.details[0].field, 'cursor');
    }
    const de = await raw(url, 'GET', '/hosts?sort=name:up', { token, headers: { 'accept-language': 'de' } });
    assert.match(de.body.error.message, /nicht nach "name:up" sortieren/);

    const hosts = await c.listHosts({ sort: 'name:desc', per_page: 5 });
    assert.equal(hosts.items.length, 1);
    assert.equal(hosts.meta?.pagination.totalEntries, 1);

    for (const name of ['mem-zulu', 'mem-alpha']) await c.createTenant({ name, admin: { email: `${name}@example.test`, password: 'List-Memory-Pass-1' } });
    const standings = await c.all((q) => c.listStandings(q), { sort: 'name:desc' });
    const names = standings.map((s) => s.tenantName);
    assert.deepEqual(names, [...names].sort().reverse());
    assert.ok(names.indexOf('mem-zulu') < names.indexOf('mem-alpha'));
    const byCreated = (await c.listStandings({ sort: 'created:desc', per_page: 2 })).items.map((s) => s.tenantName);
    assert.deepEqual(byCreated, ['mem-alpha', 'mem-zulu'], 'newest tenants first');
  });

  test('network allocations and server NICs sort by address, page by number', async () => {
    const { client: c, url, operatorToken: token } = get();
    const made = await c.createNetwork({ name: 'sortnet', ipv4Cidr: '10.64.0.0/24' });
    await c.waitOperation(made.operation.id, 60);
    const id = made.network.id;
    const servers = [];
    for (const [name, ipv4] of [['nic-a', '10.64.0.10'], ['nic-b', '10.64.0.9'], ['nic-c', '10.64.0.100']] as const) {
      servers.push(await c.createServer({ name, plan: 'nano', image: 'tiny', start: false, nics: [{ network: 'default' }, { network: 'sortnet', ipv4 }] }));
    }
    try {
      const all = (await c.listNetworkAllocations(id)).items.map((a) => a.address);
      assert.equal(all[0], '10.64.0.1', 'asked for nothing: the service address first, then every NIC');
      assert.deepEqual([...all].sort(), ['10.64.0.1', '10.64.0.10', '10.64.0.100', '10.64.0.9']);
      const byAddress = await c.listNetworkAllocations(id, { sort: 'address:desc', per_page: 3 });
      assert.deepEqual(byAddress.items.map((a) => a.address), ['10.64.0.100', '10.64.0.10', '10.64.0.9'], 'numeric, not text order');
      assert.deepEqual(byAddress.meta?.pagination, { page: 1, perPage: 3, previousPage: null, nextPage: 2, lastPage: 2, totalEntries: 4 });
      assert.deepEqual((await c.listNetworkAllocations(id, { sort: 'kind:desc,address', per_page: 10 })).items.map((a) => a.address), ['10.64.0.1', '10.64.0.9', '10.64.0.10', '10.64.0.100']);
      const bad = await raw(url, 'GET', `/networks/${id}/allocations?sort=mac`, { token });
      assert.equal(bad.body.error.code, 'SORT_KEY_INVALID');
      assert.match(bad.body.error.message, /address, kind, server/);

      const nics = (await c.listServerNics(servers[0]!.server.id)).items;
      assert.deepEqual(nics.map((n) => n.network), ['default', id]);
      assert.deepEqual((await c.listServerNics(servers[0]!.server.id, { sort: 'network:desc' })).items.map((n) => n.network), [id, 'default']);
      const nicPage = await c.listServerNics(servers[0]!.server.id, { per_page: 1, page: 2 });
      assert.deepEqual(nicPage.items.map((n) => n.network), [id]);
      assert.equal(nicPage.meta?.pagination.previousPage, 1);
      const badNic = await raw(url, 'GET', `/servers/${servers[0]!.server.id}/nics?sort=speed`, { token });
      assert.match(badNic.body.error.message, /created, id, ipv4, network, state/);
    } finally {
      for (const s of servers) await c.waitOperation((await c.deleteServer(s.server.id)).id, 60);
      await c.waitOperation((await c.deleteNetwork(id)).id, 60);
    }
  });

  test('the OpenAPI document names sort and paging on the in-memory lists', async () => {
    const doc = (await (await fetch(`${get().url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    for (const path of ['/api/v1/prices', '/api/v1/hosts', '/api/v1/billing/standings', '/api/v1/networks/{id}/allocations', '/api/v1/servers/{id}/nics']) {
      const op = doc.paths[path]?.get;
      assert.ok(op, path);
      const params = (op.parameters ?? []).map((p) => p.name);
      for (const n of ['sort', 'page', 'per_page']) assert.ok(params.includes(n), `${path} documents ${n}`);
      assert.match(JSON.stringify(op.responses['400']), /SORT_KEY_INVALID/, `${path} documents SORT_KEY_INVALID`);
    }
    assert.ok(doc.paths['/api/v1/networks']!.get!.parameters!.some((p) => p.name === 'label_selector'), 'networks take label_selector');
  });
});
