/**
 * Volumes, snapshots and public IPs metered on a real control plane, both stores: priced per GB
 * or per address from the price list, booked per second from their own lifecycles (by the size a
 * volume has, the space a snapshot takes, while an address is held), shown in the cost monitor,
 * and no longer charged once deleted or released.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicIpApi } from '@kumulus/api';
import { describeEachStore } from '../stores.ts';

let skipped = 0;
const clock = () => Date.now() + skipped;
const HOUR = 3_600_000;
const GIB = 1024 ** 3;

/** Polls until `probe` answers something truthy. */
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describeEachStore(
  'billing of volumes, snapshots and public IPs',
  (get) => {
    test('each kind is charged per second at its price, shown per resource, and stops with the resource', async () => {
      const { client: c, running } = get();
      const db = running.store.db;
      // 7.30 a GB-month is 1 ct per GB-hour; a snapshot 0.1 ct per GB-hour; an IPv4 address 3.60 an hour (0.1 ct a second).
      for (const p of [
        { kind: 'volume', per: 'month', running: '7.30' },
        { kind: 'snapshot', per: 'month', running: '0.73' },
        { kind: 'public-ipv4', per: 'hour', running: '3.60' },
      ] as const) {
        await c.createPrice({ ...p, currency: 'EUR' }).catch((e) => assert.equal(e.code, 'CONFLICT'));
      }
      const ips = publicIpApi(c);
      await ips.createPool({ name: `bk-${running.store.dialect}`, range: running.store.dialect === 'sqlite' ? '198.51.100.0/29' : '198.51.100.8/29', uplink: 'kmtnoup0' });
      const ip = await ips.allocate({ name: 'billed' });
      const vol = await c.createVolume({ name: 'billed', sizeGb: 2 });
      assert.equal((await c.waitOperation(vol.operation.id, 120)).state, 'succeeded');
      const snap = await c.createSnapshot('volumes', vol.volume.id, { name: 'billed' });
      assert.equal((await c.waitOperation(snap.operation.id, 120)).state, 'succeeded');

      // An hour later the meter has booked each kind at its own price and quantity.
      skipped += HOUR;
      const usage = async (id: string) => db.selectFrom('usage_records').selectAll().where('resource_id', '=', id).orderBy('start_at').execute();
      await until('an hour booked for all three', async () => {
        const rows = await Promise.all([ip.id, vol.volume.id, snap.snapshot.id].map(usage));
        return rows.every((r) => r.reduce((a, u) => a + Number(u.seconds), 0) >= 3600);
      });
      const volRows = (await usage(vol.volume.id)).filter((u) => u.price_id);
      assert.ok(volRows.every((u) => Number(u.quantity) === 2 * GIB && u.meter === 'held' && u.resource_type === 'volume'));
      // Exactly 2 GB × seconds at 1 ct per GB-hour: 2 × 1,000,000 µct / 3600 per second, rounded once per record.
      for (const u of volRows) assert.ok(Math.abs(Number(u.amount_uc) - (Number(u.seconds) * 2 * 1_000_000) / 3600) <= 0.5);
      // (A price made "now" takes effect at the next whole second: what came before it is unpriced.)
      const ipRows = (await usage(ip.id)).filter((u) => u.price_id);
      assert.ok(ipRows.reduce((a, u) => a + Number(u.seconds), 0) >= 3590);
      for (const u of ipRows) assert.equal(Number(u.amount_uc), Number(u.seconds) * 100_000);
      const snapRows = await usage(snap.snapshot.id);
      const taken = await c.getSnapshot('volumes', vol.volume.id, snap.snapshot.id);
      assert.ok(snapRows.every((u) => Number(u.quantity) === (taken.status.usedBytes ?? taken.status.sizeBytes)), 'by the space the snapshot takes');

      const s = await c.billingSummary();
      const line = (id: string) => s.resources.find((r) => r.resourceId === id);
      assert.equal(line(vol.volume.id)?.resourceType, 'volume');
      assert.equal(line(vol.volume.id)?.plan, 'volume');
      assert.equal(line(vol.volume.id)?.sizeGb, 2);
      assert.equal(line(vol.volume.id)?.billedAs, 'held');
      assert.ok(line(vol.volume.id)!.spent.cents >= 2, 'two GB for an hour: 2 ct');
      assert.equal(line(ip.id)?.resourceType, 'public-ip');
      assert.equal(line(ip.id)?.plan, 'public-ipv4');
      assert.ok(line(ip.id)!.spent.cents >= 360, 'an address for an hour: 3.60 EUR');
      assert.ok(line(snap.snapshot.id));
      // The burn rate counts all three as they are billed now: at least the address's 3.60 and the volume's 2 ct an hour.
      assert.ok(Number(s.burnRatePerHour.amount) >= 3.62);

      // Released and deleted: the meters close and nothing more is booked, however long the clock runs.
      await ips.release(ip.id);
      const del = await c.deleteVolume(vol.volume.id);
      assert.equal((await c.waitOperation(del.id, 120)).state, 'succeeded');
      await until('the meters closed', async () => {
        const open = await db.selectFrom('meters').select('resource_id').where('resource_id', 'in', [ip.id, vol.volume.id, snap.snapshot.id]).where('closed', '=', 0).execute();
        return open.length === 0;
      });
      const total = async () => Number((await db.selectFrom('usage_records').select((eb) => eb.fn.sum<string | number>('amount_uc').as('s')).where('resource_id', 'in', [ip.id, vol.volume.id, snap.snapshot.id]).executeTakeFirstOrThrow()).s);
      const closedAt = await total();
      skipped += HOUR;
      await new Promise((r) => setTimeout(r, 1500)); // three meter sweeps at 500 ms
      assert.equal(await total(), closedAt);
      const after = await c.billingSummary();
      assert.equal(after.resources.find((r) => r.resourceId === ip.id)?.billedAs ?? null, null);
      assert.ok(Number(after.burnRatePerHour.amount) < Number(s.burnRatePerHour.amount));
    });
  },
  { clock, meterEveryMs: 500 },
);
