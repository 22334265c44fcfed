/**
 * Traffic booking on both stores: what the kernel's counters grew by goes to the NIC's hour,
 * public or private; a second pass over the same reading adds nothing (a restart never counts
 * twice), and a link made again (new ifindex, counters from zero) counts from zero. The kernel
 * side (real counters of real veths) is covered by test/api/nic-traffic.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPgDatabase } from '../../../test/harness.ts';
import type { Engine } from '../../drivers/types.ts';
import { openStore, type Store } from '../../store/db.ts';
import { collectTraffic, counterDelta, serverTraffic } from './traffic.ts';
import { verdictFor } from './traffic-policy.ts';

test('counterDelta: growth, or everything after a reset or on another link', () => {
  assert.equal(counterDelta({ link: 5, bytes: 100 }, { link: 5, bytes: 250 }), 150);
  assert.equal(counterDelta({ link: 5, bytes: 100 }, { link: 9, bytes: 40 }), 40);
  assert.equal(counterDelta({ link: 5, bytes: 100 }, { link: 5, bytes: 30 }), 30);
  assert.equal(counterDelta(undefined, { link: 5, bytes: 70 }), 70);
});

test('verdictFor: within, past the included traffic, past the hard limit; 0 is a limit', () => {
  const terms = { plan_id: 'plan_x', nic_mbit: null, included_gb: 1, throttle_mbit: 10, hard_limit_gb: 2 };
  assert.equal(verdictFor(undefined, 5e12), 'ok');
  assert.equal(verdictFor(terms, 1e9), 'ok');
  assert.equal(verdictFor(terms, 1e9 + 1), 'throttled');
  assert.equal(verdictFor(terms, 2e9 + 1), 'blocked');
  assert.equal(verdictFor({ ...terms, included_gb: 0, hard_limit_gb: null }, 1), 'throttled');
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`traffic booking [${dialect}]`, () => {
    let store: Store;
    let drop = async () => {};
    before(async () => {
      if (dialect === 'sqlite') store = await openStore('sqlite::memory:');
      else {
        const pg = await createPgDatabase();
        drop = pg.drop;
        store = await openStore(pg.url);
      }
      await store.db.insertInto('tenants').values({ id: 'ten_traffic', name: 'traffic', created_at: 0 }).execute();
      const spec = { nics: [{ id: 'nic_pub', network: 'default' }, { id: 'nic_priv', network: 'net_x' }] };
      await store.db
        .insertInto('servers')
        .values({ id: 'srv_t', tenant_id: 'ten_traffic', name: 't', generation: 1, spec: JSON.stringify(spec), status: '{}', labels: '{}', deletion_requested_at: null, created_at: 0, updated_at: 0 })
        .execute();
    });
    after(async () => {
      await store?.close();
      await drop();
    });

    test('books growth per hour, never twice, and from zero on a re-made link', async () => {
      let readings = new Map([
        ['nic_pub', { link: 7, inBytes: 1000, outBytes: 200 }],
        ['nic_priv', { link: 8, inBytes: 50, outBytes: 60 }],
      ]);
      const engine = { network: { nicCounters: async () => readings } } as unknown as Engine;
      let now = Date.parse('2026-12-01T10:15:00Z');
      const pass = () => collectTraffic({ db: store.db, engine, clock: () => now, defaultNetwork: 'default', wake: async () => {} });
      await pass();
      await pass(); // the same reading again: a restart re-reading it adds nothing
      readings = new Map([
        ['nic_pub', { link: 7, inBytes: 1500, outBytes: 300 }],
        ['nic_priv', { link: 12, inBytes: 5, outBytes: 6 }], // made again: counts from zero
      ]);
      now = Date.parse('2026-12-01T11:05:00Z');
      await pass();
      const { items: hours, nics } = await serverTraffic(store.db, 'srv_t', 0, { networkOf: (id) => (id === 'nic_pub' ? 'default' : null) });
      assert.deepEqual(
        nics.map((n) => [n.nicId, n.network, n.public, n.items.map((h) => [h.hour.slice(11, 13), h.inBytes, h.outBytes])]),
        [
          ['nic_priv', null, false, [['10', 50, 60], ['11', 5, 6]]],
          ['nic_pub', 'default', true, [['10', 1000, 200], ['11', 500, 100]]],
        ],
      );
      const one = await serverTraffic(store.db, 'srv_t', Date.parse('2026-12-01T11:00:00Z'), { nicId: 'nic_pub' });
      assert.deepEqual(one.items, [{ hour: '2026-12-01T11:00:00.000Z', publicInBytes: 500, publicOutBytes: 100, privateInBytes: 0, privateOutBytes: 0 }]);
      assert.deepEqual(hours, [
        { hour: '2026-12-01T10:00:00.000Z', publicInBytes: 1000, publicOutBytes: 200, privateInBytes: 50, privateOutBytes: 60 },
        { hour: '2026-12-01T11:00:00.000Z', publicInBytes: 500, publicOutBytes: 100, privateInBytes: 5, privateOutBytes: 6 },
      ]);
    });
  });
}
