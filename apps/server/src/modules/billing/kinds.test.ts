/**
 * Metering of volumes, snapshots and public IPs beside servers, on an injected clock: each kind
 * priced per GB or per address from the price list, booked per second, shown per resource in the
 * cost monitor and its burn rate — totals checked against amounts computed by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainError } from '../../lib/errors.ts';
import { GIB, type LifecycleChange, productKey } from './meter-kinds.ts';
import { type Kit, openKit } from './test-kit.ts';

const at = (day: number, h = 0, m = 0) => Date.UTC(2026, 6, day, h, m);
const HOUR = 3_600_000;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`meter kinds [${kind}]`, () => {
    let k: Kit;
    before(async () => {
      k = await openKit(kind, at(1));
    });
    after(async () => {
      await k?.close();
    });

    const change = (c: Omit<LifecycleChange, 'tenantId' | 'at'>) => k.db.transaction().execute((trx) => k.metering.record(trx, { ...c, tenantId: k.tenantA, at: k.now() }));

    test('volumes by size, snapshots by space used, addresses while held: each to the cent', async () => {
      const { billing, operator, tenantA } = k;
      // 7.30 a GB-month is 1 ct per GB-hour; 0.73 is 0.1 ct; an IPv4 address 1 ct an hour, IPv6 0.5 ct.
      await billing.createPrice(operator, { kind: 'volume', per: 'month', running: '7.30', currency: 'EUR' }, 'r1');
      await billing.createPrice(operator, { kind: 'snapshot', per: 'month', running: '0.73', currency: 'EUR' }, 'r2');
      await billing.createPrice(operator, { kind: 'public-ipv4', per: 'hour', running: '0.01', currency: 'EUR' }, 'r3');
      await billing.createPrice(operator, { kind: 'public-ipv6', per: 'hour', running: '0.005', currency: 'EUR' }, 'r4');
      await billing.book(operator, { tenantId: tenantA, kind: 'topup', amount: '100.00', currency: 'EUR', reference: 'KINDS-1' }, 'r5');
      const vol = { resourceId: 'vol_data', kind: 'volume', name: 'data', product: productKey('volume') };
      const snap = { resourceId: 'snp_one', kind: 'snapshot', name: 'before', product: productKey('snapshot') };
      const ip4 = { resourceId: 'pip_four', kind: 'public-ip', name: 'web4', product: productKey('public-ipv4'), quantity: 1 };
      const ip6 = { resourceId: 'pip_six', kind: 'public-ip', name: 'web6', product: productKey('public-ipv6'), quantity: 1 };

      // Creating a volume is free; 10 GB from 01:00, grown to 20 GB at 04:00, deleted at 06:00: 30 + 40 = 70 ct.
      await change({ ...vol, quantity: 10 * GIB, phase: 'Creating' });
      k.setNow(at(1, 1));
      await change({ ...vol, quantity: 10 * GIB, phase: 'Available' });
      await change({ ...vol, quantity: 10 * GIB, phase: 'Available' }); // a resync with nothing new records nothing
      k.setNow(at(1, 2));
      await change({ ...vol, quantity: 10 * GIB, phase: 'Attached' });
      // A snapshot using 2 GB for 10 hours: 2 ct; one whose taking failed: nothing.
      await change({ ...snap, quantity: 2 * GIB, phase: 'Ready' });
      await change({ resourceId: 'snp_bad', kind: 'snapshot', name: 'bad', product: productKey('snapshot'), quantity: 0, phase: 'Failed' });
      // IPv4 held 5 hours: 5 ct; IPv6 held from 02:00 on (still held at 12:00): 5 ct so far.
      await change({ ...ip4, phase: 'Held' });
      await change({ ...ip6, phase: 'Held' });
      k.setNow(at(1, 3));
      await k.meterAll();
      k.setNow(at(1, 4));
      await change({ ...vol, quantity: 20 * GIB, phase: 'Attached' });
      k.setNow(at(1, 6));
      await change({ ...vol, quantity: 20 * GIB, phase: 'Deleting' });
      await change({ ...vol, quantity: 20 * GIB, phase: 'Deleted' });
      k.setNow(at(1, 7));
      await change({ ...ip4, phase: 'Deleted' });
      k.setNow(at(1, 12));
      await change({ ...snap, quantity: 2 * GIB, phase: 'Deleted' });
      await k.meterAll();

      const s = await billing.summary(k.member(tenantA), {});
      const line = (id: string) => s.resources.find((r) => r.resourceId === id);
      assert.equal(line('vol_data')?.spent.cents, 70);
      assert.equal(line('vol_data')?.resourceType, 'volume');
      assert.equal(line('vol_data')?.plan, 'volume');
      assert.equal(line('snp_one')?.spent.cents, 2);
      assert.equal(line('snp_bad')?.spent.cents ?? 0, 0);
      assert.equal(line('pip_four')?.spent.cents, 5);
      assert.equal(line('pip_six')?.spent.cents, 5);
      assert.equal(line('pip_six')?.billedAs, 'held');
      assert.equal(s.spent.cents, 82);
      assert.equal(s.balance.cents, 10000 - 82);
      // Only the IPv6 address costs now: 0.5 ct an hour.
      assert.equal(s.burnRatePerHour.amount, '0.00500000');
      const usage = await k.db.selectFrom('usage_records').selectAll().where('resource_id', '=', 'vol_data').orderBy('start_at').execute();
      // Available, then attached (to 03:00, when a pass booked), then to 04:00; 20 GB up to the deletion request at 06:00.
      assert.deepEqual(usage.map((u) => [Number(u.seconds), Number(u.quantity) / GIB, Number(u.amount_uc)]), [[3600, 10, 10_000_000], [3600, 10, 10_000_000], [3600, 10, 10_000_000], [7200, 20, 40_000_000]]);
      assert.equal(usage.reduce((a, u) => a + Number(u.amount_uc), 0), 70_000_000);
      for (let i = 1; i < usage.length; i++) assert.equal(Number(usage[i]!.start_at), Number(usage[i - 1]!.end_at));
      // Prices of the products: no plan, no stopped price.
      const prices = (await billing.listPrices()).items.filter((p) => p.kind !== 'server');
      assert.deepEqual(prices.map((p) => [p.kind, p.plan]).sort(), [['public-ipv4', null], ['public-ipv6', null], ['snapshot', null], ['volume', null]]);
    });

    test('backups by size from their copy on, free while failed; resources made before metering are billed from adoption on', async () => {
      const { billing, operator, tenantA } = k;
      const start = k.now();
      // 3.65 a GB-month is 0.5 ct per GB-hour.
      await billing.createPrice(operator, { kind: 'backup', per: 'month', running: '3.65', currency: 'EUR' }, 'b1');
      const bak = { resourceId: 'bak_one', kind: 'backup', name: 'web', product: productKey('backup') };
      // Pending and Running (copying) are free; 4 GB verified and ready for 10 h: 20 ct; a failed one: nothing.
      await change({ ...bak, quantity: 0, phase: 'Pending' });
      await change({ ...bak, quantity: 0, phase: 'Running' });
      k.setNow(start + HOUR);
      await change({ ...bak, quantity: 4 * GIB, phase: 'Verifying' });
      await change({ ...bak, quantity: 4 * GIB, phase: 'Ready' });
      await change({ resourceId: 'bak_bad', kind: 'backup', name: 'web', product: productKey('backup'), quantity: 0, phase: 'Failed' });
      // A volume and a snapshot that existed before anything metered them (no phase log, no meter).
      const row = { tenant_id: tenantA, generation: 1, deletion_requested_at: null, created_at: start, updated_at: start };
      await k.db.insertInto('volumes').values({ ...row, id: 'vol_old', name: 'old', labels: '{}', size_gb: 10, spec: JSON.stringify({ sizeGb: 10 }), status: JSON.stringify({ phase: 'Available' }) }).execute();
      await k.db.insertInto('snapshots').values({ ...row, id: 'snp_old', target_type: 'volume', target_id: 'vol_old', name: 'old-snap', description: '', labels: '{}', spec: '{}', status: JSON.stringify({ phase: 'Ready', usedBytes: 2 * GIB, sizeBytes: 10 * GIB }) }).execute();
      assert.equal(await k.metering.adopt(), 2);
      assert.equal(await k.metering.adopt(), 0, 'adopted once');
      k.setNow(start + 11 * HOUR);
      await k.meterAll();
      const s = await billing.summary(k.member(tenantA), {});
      const line = (id: string) => s.resources.find((r) => r.resourceId === id);
      assert.equal(line('bak_one')?.spent.cents, 20);
      assert.equal(line('bak_one')?.sizeGb, 4);
      assert.equal(line('bak_bad')?.spent.cents ?? 0, 0);
      // 10 GB for 10 h at the volume price of 1 ct per GB-hour: 100 ct; 2 GB used at 0.1 ct: 2 ct.
      assert.equal(line('vol_old')?.spent.cents, 100);
      assert.equal(line('snp_old')?.spent.cents, 2);
      assert.equal(line('vol_old')?.billedAs, 'held');
    });

    test('public traffic beyond the plan is billed per GB, once, and into the month it was sent in', async () => {
      const { billing, operator, tenantA } = k;
      const GB = 1_000_000_000;
      // Traffic seen before any traffic price is counted at nothing, so the price never reaches back.
      const hour = (t: number) => Math.floor(t / HOUR) * HOUR;
      const medium = await k.db.selectFrom('plans').select('id').where('name', '=', 'medium').executeTakeFirstOrThrow();
      await k.db.insertInto('plan_traffic').values({ plan_id: medium.id, nic_mbit: null, included_gb: 1, throttle_mbit: null, hard_limit_gb: null }).execute();
      const srv = { serverId: 'srv_traffic', tenantId: tenantA, name: 'cdn', plan: 'medium' };
      const free = { serverId: 'srv_noterms', tenantId: tenantA, name: 'plain', plan: 'small' };
      await k.phase({ ...srv, phase: 'Running' });
      await k.phase({ ...free, phase: 'Running' });
      const sent = (server: string, at: number, out: number, pub = 1) => k.db.insertInto('nic_traffic').values({ nic_id: `nic_${server}_${pub}`, hour: hour(at), server_id: server, public: pub, in_bytes: 0, out_bytes: out }).execute();
      await sent('srv_traffic', k.now(), 1.2 * GB);
      await k.meterAll();
      await billing.createPrice(operator, { kind: 'traffic', per: 'month', running: '0.50', currency: 'EUR' }, 't1');
      // 0.6 GB public and 5 GB private more: 0.8 GB over, of which 0.2 GB came before the price.
      k.setNow(hour(k.now()) + HOUR);
      await sent('srv_traffic', k.now(), 0.6 * GB);
      await sent('srv_traffic', k.now(), 5 * GB, 0);
      await sent('srv_noterms', k.now(), 50 * GB);
      await k.meterAll();
      await k.meterAll(); // a pass repeated books nothing twice
      k.setNow(k.now() + HOUR);
      await sent('srv_traffic', k.now(), 1 * GB);
      await k.meterAll();
      let s = await billing.summary(k.member(tenantA), {});
      const traffic = () => s.resources.find((r) => r.resourceId === 'srv_traffic' && r.resourceType === 'traffic');
      // 0.6 GB + 1 GB at 50 ct: 80 ct; the server's own running time is a line of its own.
      assert.equal(traffic()?.spent.cents, 80);
      assert.equal(traffic()?.plan, 'traffic');
      assert.ok(s.resources.some((r) => r.resourceId === 'srv_traffic' && r.resourceType === 'server'));
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_noterms' && r.resourceType === 'traffic'), undefined);
      const records = await k.db.selectFrom('usage_records').selectAll().where('resource_type', '=', 'traffic').orderBy('start_at').execute();
      assert.deepEqual(records.map((r) => [Number(r.quantity), Number(r.amount_uc)]), [[0.2 * GB, 0], [0.6 * GB, 30_000_000], [1 * GB, 50_000_000]]);
      // The month's last hour counted after its last pass is booked into that month by the next one.
      const end = Date.UTC(2026, 7, 1);
      k.setNow(end - HOUR);
      await k.meterAll();
      await sent('srv_traffic', end - 1, 2 * GB);
      k.setNow(end + HOUR);
      await k.meterAll();
      const last = await k.db.selectFrom('usage_records').selectAll().where('resource_type', '=', 'traffic').orderBy('start_at', 'desc').executeTakeFirstOrThrow();
      assert.deepEqual([Number(last.quantity), Number(last.amount_uc), Number(last.start_at) < end], [2 * GB, 100_000_000, true]);
      s = await billing.summary(k.member(tenantA), {});
      assert.equal(traffic(), undefined, 'August has no traffic beyond the plan yet');
      await k.phase({ ...srv, phase: 'Deleted' });
      await k.phase({ ...free, phase: 'Deleted' });
    });

    test('a product price naming a plan or a stopped price is refused with the field named', async () => {
      const { billing, operator } = k;
      await assert.rejects(billing.createPrice(operator, { kind: 'volume', plan: 'small', per: 'month', running: '1', currency: 'EUR' }, 'r'), (e: DomainError) => e.code === 'VALIDATION_FAILED' && e.details[0]?.field === 'plan');
      await assert.rejects(billing.createPrice(operator, { kind: 'public-ipv4', per: 'month', running: '1', stopped: '0.5', currency: 'EUR' }, 'r'), (e: DomainError) => e.code === 'VALIDATION_FAILED' && e.details[0]?.field === 'stopped');
      await assert.rejects(billing.createPrice(operator, { per: 'month', running: '1', currency: 'EUR' }, 'r'), (e: DomainError) => e.code === 'VALIDATION_FAILED' && e.details[0]?.field === 'plan');
      k.setNow(k.now() + HOUR);
    });
  });
}
