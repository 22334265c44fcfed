/**
 * The firewall log's store side on both stores: packets as the engine reads them (log prefix,
 * interfaces, addresses) are matched to their NIC — by the bridge port of a bridged frame, by
 * bridge and address of a routed one, to both ends for a zone drop — stored, read back newest
 * first by the NIC's tenant only, and cut to the last 100 per NIC. The kernel side (real
 * packets logged by nftables and read by tcpdump) is covered by test/api/firewall-traffic.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPgDatabase } from '../../../test/harness.ts';
import type { LoggedPacket } from '../../drivers/types.ts';
import { createIdGenerator } from '../../lib/ids.ts';
import { openStore, type Store } from '../../store/db.ts';
import type { Principal } from '../identity/principal.ts';
import type { HostModel } from './compile.ts';
import { decodePrefix, LOG_KEEP, nicsOf, createPacketLog } from './packet-log.ts';

const nic = (id: string, server: string, tenant: string, ip: string, port: string) => ({ nicId: id, serverId: server, tenantId: tenant, bridge: 'kbr1', port, mac: '02:00:00:00:00:01', ipv4: [ip], ipv6: [], labels: {}, network: 'net_x' });
const model: HostModel = { nics: [nic('nic_a', 'srv_a', 'ten_a', '10.1.0.2', 'kva'), nic('nic_b', 'srv_b', 'ten_b', '10.1.0.3', 'kvb')], firewalls: [], networks: [], zones: [] };
const packet = (prefix: string, more: Partial<LoggedPacket> = {}): LoggedPacket => ({ at: new Date(1_700_000_000_000), prefix, protocol: 6, source: '10.1.0.3', destination: '10.1.0.2', sourcePort: 40000, destinationPort: 22, ...more });

test('decodePrefix: rules, default drops, anti-spoofing, zones; anything else is not ours', () => {
  assert.deepEqual(decodePrefix('r:fw_x:i3:d'), { decision: { action: 'drop', reason: 'rule', firewall_id: 'fw_x', rule_index: 3 }, direction: 'in' });
  assert.equal(decodePrefix('d:nic_a:o')?.nic, 'nic_a');
  assert.equal(decodePrefix('s')?.decision.reason, 'anti-spoofing');
  assert.equal(decodePrefix('z')?.direction, 'both');
  assert.equal(decodePrefix('IN=eth0 '), null);
  assert.equal(decodePrefix('r:fw_x:x3:d'), null);
});

test('nicsOf: by bridge port, by bridge and address, both ends of a zone drop', () => {
  assert.deepEqual(nicsOf(packet('r:fw_x:i0:a', { physOut: 'kva' }), model).map((x) => [x.nic.nicId, x.direction]), [['nic_a', 'in']]);
  assert.deepEqual(nicsOf(packet('r:fw_x:i0:a', { outIf: 'kbr1' }), model).map((x) => x.nic.nicId), ['nic_a'], 'routed to the bridge: the NIC with the destination address');
  assert.deepEqual(nicsOf(packet('s', { inIf: 'kvb' }), model).map((x) => [x.nic.nicId, x.direction]), [['nic_b', 'out']], 'a spoofed frame by the port it came in by, whatever its source');
  assert.deepEqual(nicsOf(packet('z', { physIn: 'kvb', physOut: 'kva' }), model).map((x) => [x.nic.nicId, x.direction]), [['nic_a', 'in'], ['nic_b', 'out']]);
  assert.deepEqual(nicsOf(packet('d:nic_b:i', { physOut: 'kva' }), model), [], 'a default drop names its NIC');
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`firewall log [${dialect}]`, () => {
    let store: Store;
    let drop = async () => {};
    before(async () => {
      if (dialect === 'sqlite') store = await openStore('sqlite::memory:');
      else {
        const pg = await createPgDatabase();
        drop = pg.drop;
        store = await openStore(pg.url);
      }
      for (const t of ['ten_a', 'ten_b']) await store.db.insertInto('tenants').values({ id: t, name: t, created_at: 0 }).execute();
      for (const [id, t, n] of [['srv_a', 'ten_a', 'nic_a'], ['srv_b', 'ten_b', 'nic_b']] as const) {
        await store.db.insertInto('servers').values({ id, tenant_id: t, name: id, generation: 1, spec: JSON.stringify({ nics: [{ id: n, network: 'net_x' }] }), status: '{}', labels: '{}', deletion_requested_at: null, created_at: 0, updated_at: 0 }).execute();
      }
    });
    after(async () => {
      await store?.close();
      await drop();
    });

    test('stored per NIC, newest first, the last 100 kept, read by its tenant only', async () => {
      let feed: (p: LoggedPacket) => void = () => {};
      let now = 1_700_000_000_000;
      const log = createPacketLog({ db: store.db, clock: () => now, ids: createIdGenerator(() => now), loadModel: async () => model, flushMs: 20, watch: (on) => {
          feed = on;
          return async () => {};
        },
      });
      const stop = log.start();
      for (let i = 0; i < LOG_KEEP + 20; i++) {
        now += 1;
        feed(packet('d:nic_a:i', { physOut: 'kva', destinationPort: 1000 + i }));
      }
      feed(packet('s', { inIf: 'kvb', source: '10.9.9.9', protocol: 1, sourcePort: undefined, destinationPort: undefined }));
      feed(packet('kernel noise'));
      await stop();
      const a: Principal = { tenantId: 'ten_a' } as Principal;
      const items = (await log.list(a, 'srv_a', 'nic_a')).items;
      assert.equal(items.length, LOG_KEEP);
      assert.deepEqual([items[0]!.destinationPort, items.at(-1)!.destinationPort], [1000 + LOG_KEEP + 19, 1020], 'newest first; the oldest 20 are gone');
      assert.deepEqual([items[0]!.reason, items[0]!.action, items[0]!.direction, items[0]!.protocol, items[0]!.source], ['default-deny', 'drop', 'in', 'tcp', '10.1.0.3']);
      assert.equal((await store.db.selectFrom('firewall_log').select('id').where('nic_id', '=', 'nic_a').execute()).length, LOG_KEEP, 'the store keeps no more');
      const b = (await log.list({ tenantId: 'ten_b' } as Principal, 'srv_b', 'nic_b')).items;
      assert.deepEqual(b.map((e) => [e.reason, e.source, e.protocol, e.sourcePort]), [['anti-spoofing', '10.9.9.9', 'icmp', undefined]]);
      await assert.rejects(log.list({ tenantId: 'ten_b' } as Principal, 'srv_a', 'nic_a'), (e: Error & { code?: string }) => e.code === 'SERVER_NOT_FOUND', "another tenant's server is not found");
      await assert.rejects(log.list(a, 'srv_a', 'nic_b'), (e: Error & { code?: string }) => e.code === 'NIC_NOT_FOUND');
    });
  });
}
