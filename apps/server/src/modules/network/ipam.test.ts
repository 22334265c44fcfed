/**
 * IPAM on both stores: never-used addresses first, a released address only after its
 * cool-down (the longest-released first), a MAC that stays with its address, and no address
 * handed out twice when creates race.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPgDatabase } from '../../../test/harness.ts';
import type { DomainError } from '../../lib/errors.ts';
import { lockFor } from '../../store/locks.ts';
import { openStore, type Store } from '../../store/db.ts';
import { slaacAddress } from './cidr6.ts';
import { allocateAddress, allocateAddresses, allocateChosenAddress, type Ipv4Network, macFor, releaseAddresses } from './ipam.ts';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`IPAM [${engine}]`, () => {
    let store: Store;
    let drop = async () => {};
    before(async () => {
      if (engine === 'sqlite') store = await openStore('sqlite::memory:');
      else {
        const pg = await createPgDatabase();
        drop = pg.drop;
        store = await openStore(pg.url);
      }
    });
    after(async () => {
      await store?.close();
      await drop();
    });

    let seq = 0;
    const take = (net: Ipv4Network, now: number, cooldownMs: number) =>
      store.db.transaction().execute(async (trx) => {
        await lockFor(trx, store.dialect, `network:${net.name}`);
        const n = seq++;
        return allocateAddress(trx, net, `srv_${n}`, `nic_${n}`, { now, cooldownMs });
      });
    const release = (address: string, now: number) =>
      store.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('ip_allocations').select('server_id').where('address', '=', address.split('/')[0]!).executeTakeFirstOrThrow();
        await releaseAddresses(trx, row.server_id, now);
      });

    test('never-used addresses come first, skipping gateway, network and broadcast', async () => {
      const net = { name: 'fresh', cidr: '10.9.0.0/29', gateway: '10.9.0.1' };
      const a = await take(net, 1000, 60_000);
      assert.equal(a, '10.9.0.2/29');
      await release(a, 2000);
      // .2 rests; the next ones are the never-used .3 … .6, never .7 (broadcast).
      assert.deepEqual([await take(net, 3000, 0), await take(net, 3000, 0), await take(net, 3000, 0), await take(net, 3000, 0)], ['10.9.0.3/29', '10.9.0.4/29', '10.9.0.5/29', '10.9.0.6/29']);
      // Only now, with every address used once, does the released .2 come back (cool-down 0).
      assert.equal(await take(net, 3000, 0), '10.9.0.2/29');
    });

    test('a released address is handed out again only after the cool-down, the longest-released first', async () => {
      const net = { name: 'cool', cidr: '10.9.1.0/29', gateway: '10.9.1.1' };
      const all = [];
      for (let i = 0; i < 5; i++) all.push(await take(net, 0, 60_000));
      await release('10.9.1.4', 10_000);
      await release('10.9.1.2', 20_000);
      await assert.rejects(take(net, 30_000, 60_000), (e: DomainError) => {
        assert.equal(e.code, 'NO_ADDRESS_LEFT');
        assert.equal(e.retryAfter, 40, 'says when .4 has rested long enough');
        return true;
      });
      assert.equal(await take(net, 70_000, 60_000), '10.9.1.4/29', 'released first, handed out first');
      await assert.rejects(take(net, 75_000, 60_000), (e: DomainError) => e.code === 'NO_ADDRESS_LEFT' && e.retryAfter === 5);
      assert.equal(await take(net, 80_000, 60_000), '10.9.1.2/29');
      const rows = await store.db.selectFrom('ip_allocations').select('address').where('network', '=', 'cool').execute();
      assert.equal(rows.length, 5, 'every address held once, none twice');
      assert.equal(all.length, 5);
    });

    test('a release survives a second release of the same address (upsert), and a later one counts', async () => {
      const net = { name: 'again', cidr: '10.9.2.0/30', gateway: '10.9.2.1' };
      const a = await take(net, 0, 1000);
      await release(a, 100);
      assert.equal(await take(net, 1100, 1000), a);
      await release(a, 5000);
      await assert.rejects(take(net, 5500, 1000), (e: DomainError) => e.code === 'NO_ADDRESS_LEFT');
      assert.equal(await take(net, 6000, 1000), a);
    });

    test('chosen addresses are skipped by the next-free walk, and chosen ones may not be taken twice', async () => {
      const net = { name: 'chosen', cidr: '10.9.4.0/28', gateway: '10.9.4.1' };
      const chosen = (addr: string) =>
        store.db.transaction().execute(async (trx) => {
          const n = seq++;
          return allocateChosenAddress(trx, net, addr, `srv_${n}`, `nic_${n}`, 'ipv4');
        });
      assert.equal(await chosen('10.9.4.3'), '10.9.4.3/28');
      assert.equal(await chosen('10.9.4.9'), '10.9.4.9/28');
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await take(net, 0, 0));
      assert.deepEqual(got, ['10.9.4.2/28', '10.9.4.4/28', '10.9.4.5/28', '10.9.4.6/28']);
      await assert.rejects(chosen('10.9.4.4'), (e: DomainError) => e.code === 'ADDRESS_TAKEN');
      await assert.rejects(chosen('10.9.4.1'), (e: DomainError) => e.code === 'ADDRESS_TAKEN', 'the network’s own address');
      await assert.rejects(chosen('10.9.4.15'), (e: DomainError) => e.code === 'VALIDATION_FAILED', 'the broadcast address');
      await release('10.9.4.9', 5);
      assert.equal(await chosen('10.9.4.9'), '10.9.4.9/28', 'a chosen address may be taken while it rests');
    });

    test('concurrent allocations never share an address', async () => {
      const net = { name: 'race', cidr: '10.9.3.0/27', gateway: '10.9.3.1' };
      const got = await Promise.all(Array.from({ length: 20 }, () => take(net, 0, 0)));
      assert.equal(new Set(got).size, 20, got.join(' '));
    });

    const takeMany = (net: Ipv4Network, count: number, now: number, cooldownMs: number) =>
      store.db.transaction().execute(async (trx) => {
        await lockFor(trx, store.dialect, `network:${net.name}`);
        const holders = Array.from({ length: count }, () => {
          const n = seq++;
          return { serverId: `srv_${n}`, nicId: `nic_${n}` };
        });
        return allocateAddresses(trx, net, holders, { now, cooldownMs });
      });

    test('many at once: in order past chosen ones, across windows, then the rested ones; all or none', async () => {
      const net = { name: 'many', cidr: '10.9.8.0/22', gateway: '10.9.8.1' };
      const chosen = (addr: string) =>
        store.db.transaction().execute(async (trx) => {
          const n = seq++;
          return allocateChosenAddress(trx, net, addr, `srv_${n}`, `nic_${n}`, 'ipv4');
        });
      // Chosen ones above the cursor, one inside the first window and one far beyond it.
      await chosen('10.9.8.4');
      await chosen('10.9.10.100');
      const got = await takeMany(net, 700, 0, 0);
      assert.equal(got.length, 700);
      assert.equal(new Set(got).size, 700, 'no address twice');
      assert.deepEqual(got.slice(0, 3), ['10.9.8.2/22', '10.9.8.3/22', '10.9.8.5/22'], 'in order, the gateway and a chosen one skipped');
      assert.ok(!got.includes('10.9.10.100/22'), 'the chosen one beyond the first window is skipped too');
      assert.equal(await take(net, 0, 0), '10.9.10.192/22', 'a single take goes on where the batch stopped');
      const free = 1022 - 1 - 2 - 700 - 1; // hosts − gateway − chosen − batch − single
      await assert.rejects(takeMany(net, free + 1, 0, 0), (e: DomainError) => e.code === 'NO_ADDRESS_LEFT', 'one more than is free: refused');
      const held = await store.db.selectFrom('ip_allocations').select((eb) => eb.fn.countAll<number>().as('n')).where('network', '=', 'many').executeTakeFirstOrThrow();
      assert.equal(Number(held.n), 703, 'and nothing of the refused batch is held');
      assert.equal((await takeMany(net, free, 0, 0)).length, free, 'exactly what is free: given');
      // Full: a batch takes released ones longest-rested first, only once their cool-down is over.
      await release('10.9.8.7', 100);
      await release('10.9.8.3', 200);
      await release('10.9.9.9', 300);
      await assert.rejects(takeMany(net, 2, 60_150, 60_000), (e: DomainError) => e.code === 'NO_ADDRESS_LEFT' && e.retryAfter === 1);
      assert.deepEqual(await takeMany(net, 2, 60_200, 60_000), ['10.9.8.7/22', '10.9.8.3/22']);
    });

    test('concurrent batches and single takes never share an address', async () => {
      const net = { name: 'race-many', cidr: '10.9.12.0/24', gateway: '10.9.12.1' };
      const got = (await Promise.all([takeMany(net, 40, 0, 0), ...Array.from({ length: 20 }, () => take(net, 0, 0)), takeMany(net, 40, 0, 0), takeMany(net, 50, 0, 0)])).flat();
      assert.equal(got.length, 150);
      assert.equal(new Set(got).size, 150, 'every address once');
      const rows = await store.db.selectFrom('ip_allocations').select('address').where('network', '=', 'race-many').execute();
      assert.equal(rows.length, 150);
    });

    test('the MAC stays with the address and differs between networks and addresses', () => {
      assert.equal(macFor('default', '10.77.0.5/16'), macFor('default', '10.77.0.5'));
      assert.notEqual(macFor('default', '10.77.0.5'), macFor('default', '10.77.0.6'));
      assert.notEqual(macFor('default', '10.77.0.5'), macFor('net_b', '10.77.0.5'));
      assert.match(macFor('default', '10.77.0.5'), /^02(:[0-9a-f]{2}){5}$/);
      // No two addresses of one network share a MAC, nor the IPv6 address SLAAC derives from it:
      // all of a /16, and a sample across a /8 (the largest network there is).
      const macs = new Set<string>();
      const v6 = new Set<string>();
      for (let i = 0; i < 65_536; i++) {
        const mac = macFor('net_x', `10.77.${i >> 8}.${i & 255}`);
        macs.add(mac);
        v6.add(slaacAddress('fd00:1:2:3::/64', mac));
      }
      assert.equal(macs.size, 65_536);
      assert.equal(v6.size, 65_536);
      const sample = Array.from({ length: 4096 }, (_, i) => `10.${(i * 61) & 255}.${(i * 7) & 255}.${i & 255}`);
      assert.equal(new Set(sample.map((a) => macFor('net_x', a))).size, new Set(sample).size);
    });
  });
}
