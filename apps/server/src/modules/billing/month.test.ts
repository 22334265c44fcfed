/**
 * A simulated March 2026 on an injected clock, metered every hour, whose totals are checked
 * against amounts computed by hand — with a price change on the 15th, a stop, a failed
 * creation and a server running into April.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainError } from '../../lib/errors.ts';
import { type Kit, openKit } from './test-kit.ts';

const at = (day: number, h = 0, m = 0, s = 0) => Date.UTC(2026, 2, day, h, m, s);
const HOUR = 3_600_000;
/** The meter's pace in this month: every three hours (the arithmetic does not depend on it). */
const STEP = 3 * HOUR;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a simulated month [${kind}]`, () => {
    let k: Kit;
    before(async () => {
      k = await openKit(kind, at(1));
    });
    after(async () => {
      await k?.close();
    });

    /** Moves the clock step by step to `until`, metering on every step, then to `until` itself. */
    async function runUntil(until: number) {
      for (let t = Math.floor(k.now() / STEP) * STEP + STEP; t <= until; t += STEP) {
        k.setNow(t);
        await k.meterAll();
      }
      k.setNow(until);
    }

    test('prices, a top-up and lifecycles add up to the hand-computed cents', async () => {
      const { billing, operator, tenantA } = k;
      // 7.30 a month is 730,000,000 µct per 730 h: exactly 1 cent an hour running, 0.1 cent stopped.
      await billing.createPrice(operator, { plan: 'small', per: 'month', running: '7.30', stopped: '0.73', currency: 'EUR' }, 'r1');
      await billing.createPrice(operator, { plan: 'medium', per: 'hour', running: '0.05', stopped: '0.01', currency: 'EUR' }, 'r2');
      await billing.book(operator, { tenantId: tenantA, kind: 'topup', amount: '100.00', currency: 'EUR', reference: 'SEPA-2026-0001' }, 'r3');

      const a = { serverId: 'srv_a', tenantId: tenantA, name: 'web', plan: 'small' };
      const b = { serverId: 'srv_b', tenantId: tenantA, name: 'broken', plan: 'small' };
      const c = { serverId: 'srv_c', tenantId: tenantA, name: 'db', plan: 'medium' };
      await runUntil(at(1, 0, 0, 10));
      await k.phase({ ...a, phase: 'Provisioning' });
      await runUntil(at(1, 0, 1, 0));
      await k.phase({ ...a, phase: 'Running' });
      await runUntil(at(2));
      await k.phase({ ...c, phase: 'Provisioning' });
      await k.phase({ ...c, phase: 'Running' });
      await runUntil(at(5));
      // A creation that fails is never charged.
      await k.phase({ ...b, phase: 'Provisioning' });
      await runUntil(at(5, 0, 5));
      await k.phase({ ...b, phase: 'Failed' });
      await runUntil(at(6));
      await k.phase({ ...b, phase: 'Deleted' });
      await runUntil(at(10, 12));
      await k.phase({ ...a, phase: 'Stopped' });
      await runUntil(at(12));
      await k.phase({ ...a, phase: 'Running' });
      await runUntil(at(14, 9, 30));
      // From the 15th, small costs twice as much running; a price reaching back is refused.
      await assert.rejects(
        billing.createPrice(operator, { plan: 'small', per: 'month', running: '14.60', stopped: '0.73', currency: 'EUR', effectiveFrom: new Date(at(14)).toISOString() }, 'r4'),
        (e: DomainError) => e.code === 'PRICE_IN_PAST' && e.details[0]?.field === 'effectiveFrom',
      );
      await billing.createPrice(operator, { plan: 'small', per: 'month', running: '14.60', stopped: '0.73', currency: 'EUR', effectiveFrom: new Date(at(15)).toISOString() }, 'r5');
      await runUntil(at(20, 6, 30, 15));
      await k.phase({ ...a, phase: 'Deleted' });
      await runUntil(at(20, 12));

      // By hand: A ran 820,740 s at 1 ct/h (227.98333 ct), stood 36 h at 0.1 ct/h (3.6 ct),
      // ran 72 h at 1 ct/h (72 ct) and 455,415 s at 2 ct/h (253.00833 ct): 556.59167 ct.
      // C has run 18.5 days = 444 h at 5 ct/h: 2220 ct. B: nothing.
      const s = await billing.summary(k.member(tenantA), {});
      const spent = (id: string) => s.resources.find((r) => r.resourceId === id)?.spent.cents;
      assert.equal(spent('srv_a'), 557);
      assert.equal(spent('srv_c'), 2220);
      assert.equal(spent('srv_b') ?? 0, 0);
      assert.equal(s.spent.cents, 2777); // 2776.59167 ct
      // The rest of March at C's 5 ct/h: 276 h = 1380 ct.
      assert.equal(s.forecast.cents, 4157);
      assert.equal(s.burnRatePerHour.amount, '0.05000000');
      assert.equal(s.balance.cents, 10000 - 2777);
      // 7223.40833 ct at 5 ct/h last 1444.68 h from the 20th 12:00.
      const left = (Date.parse(s.creditRunsOutAt!) - at(20, 12)) / HOUR;
      assert.ok(Math.abs(left - 1444.681667) < 0.001, `runs out after ${left} h`);
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_c')?.billedAs, 'running');

      // Into April: C's March is 30 days × 24 h × 5 ct = 3600 ct; two April hours are April's.
      await runUntil(Date.UTC(2026, 3, 1, 2));
      const usage = await k.db.selectFrom('usage_records').selectAll().where('resource_id', '=', 'srv_c').orderBy('start_at').execute();
      const march = usage.filter((u) => Number(u.start_at) < Date.UTC(2026, 3, 1)).reduce((x, u) => x + Number(u.amount_uc), 0);
      assert.equal(march, 3600 * 1_000_000);
      const april = await billing.summary(k.member(tenantA), {});
      assert.equal(april.spent.cents, 10);
      assert.equal(april.month.start, '2026-04-01T00:00:00.000Z');

      // The ledger: every transaction balances, the books sum to zero, and the credit is the sum of its lines.
      const unbalanced = await k.db
        .selectFrom('ledger_entries')
        .select('transaction_id')
        .groupBy('transaction_id')
        .having((eb) => eb.fn.sum('amount_uc'), '!=', 0)
        .execute();
      assert.deepEqual(unbalanced, []);
      const charged = await k.db.selectFrom('usage_records').select((eb) => eb.fn.sum<string | number>('amount_uc').as('s')).where('tenant_id', '=', tenantA).executeTakeFirstOrThrow();
      assert.equal(await k.ledger.balance(k.db, tenantA), 100 * 100_000_000 - Number(charged.s));
      // Usage records tile each server's billed time: contiguous, never overlapping.
      for (let i = 1; i < usage.length; i++) assert.equal(Number(usage[i]!.start_at), Number(usage[i - 1]!.end_at));
      assert.equal(await k.db.selectFrom('usage_records').select('key').where('resource_id', '=', 'srv_b').executeTakeFirst(), undefined);
      // A deleted server's meter is closed: no further passes are asked for.
      assert.deepEqual(await k.metering.reconciler('srv_a', 0), { againMs: null });
    });

    test('bad bookings are refused with the field named, and nothing is booked', async () => {
      const { billing, operator, tenantA, tenantB } = k;
      const before = await k.ledger.balance(k.db, tenantB);
      const refused = async (body: Parameters<typeof billing.book>[1], code: string, field?: string) =>
        assert.rejects(billing.book(operator, body, 'r'), (e: DomainError) => e.code === code && (!field || e.details[0]?.field === field));
      await refused({ tenantId: tenantA, kind: 'topup', amount: '5.00', currency: 'EUR', reference: 'SEPA-2026-0001' }, 'DUPLICATE_REFERENCE', 'reference');
      await refused({ tenantId: tenantB, kind: 'topup', amount: '0', currency: 'EUR', reference: 'x1' }, 'INVALID_AMOUNT', 'amount');
      await refused({ tenantId: tenantB, kind: 'topup', amount: '-5.00', currency: 'EUR', reference: 'x2' }, 'INVALID_AMOUNT', 'amount');
      await refused({ tenantId: tenantB, kind: 'topup', amount: '5.001', currency: 'EUR', reference: 'x3' }, 'INVALID_AMOUNT', 'amount');
      await refused({ tenantId: tenantB, kind: 'topup', amount: '5.00', currency: 'USD', reference: 'x4' }, 'CURRENCY_MISMATCH', 'currency');
      await assert.rejects(billing.book(k.member(tenantB), { tenantId: tenantB, kind: 'goodwill', amount: '5.00', currency: 'EUR', reference: 'x5' }, 'r'), (e: DomainError) => e.code === 'FORBIDDEN');
      // Another tenant's ledger reads as absent to a non-operator.
      await assert.rejects(billing.ledger(k.member(tenantB), { tenantId: tenantA }), (e: DomainError) => e.code === 'NOT_FOUND');
      assert.equal(await k.ledger.balance(k.db, tenantB), before);
      // A goodwill credit and a refund are bookings of their own, each shown on the tenant's account.
      await billing.book(operator, { tenantId: tenantB, kind: 'goodwill', amount: '2.50', currency: 'EUR', reference: 'sorry-1' }, 'r');
      k.setNow(k.now() + 1000); // ids sort by their millisecond
      await billing.book(operator, { tenantId: tenantB, kind: 'refund', amount: '1.00', currency: 'EUR', reference: 'ref-1' }, 'r');
      const page = await billing.ledger(operator, { tenantId: tenantB });
      assert.deepEqual(page.items.map((e) => [e.kind, e.amount.amount]), [['goodwill', '2.50000000'], ['refund', '1.00000000']]);
      assert.equal(await k.ledger.balance(k.db, tenantB), before + 350_000_000);
    });

    test('a monthly cap stops the charges of a month at the cap, also across a price change', async () => {
      const { billing, operator, tenantB } = k;
      const april = (day: number, h = 0) => Date.UTC(2026, 3, day, h);
      await runUntil(april(1, 3));
      // 10 ct an hour, at most 20 EUR a month: 200 running hours reach the cap.
      await billing.createPrice(operator, { plan: 'even', per: 'hour', running: '0.10', stopped: '0.01', currency: 'EUR', monthlyCap: '20.00' }, 'c1');
      await assert.rejects(
        billing.createPrice(operator, { plan: 'even', per: 'hour', running: '0.10', currency: 'EUR', monthlyCap: '0', effectiveFrom: new Date(april(2)).toISOString() }, 'c2'),
        (e: DomainError) => e.code === 'INVALID_AMOUNT' && e.details[0]?.field === 'monthlyCap',
      );
      const d = { serverId: 'srv_d', tenantId: tenantB, name: 'capped', plan: 'even' };
      await k.phase({ ...d, phase: 'Running' });
      await runUntil(april(5, 5));
      // 98 h at 10 ct: 9.80 EUR; the rest of April would cost 60.70 EUR, of which the cap leaves 10.20.
      let s = await billing.summary(k.member(tenantB), {});
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_d')?.spent.cents, 980);
      assert.equal(s.forecast.cents, 2000);
      // From the 15th 20 ct an hour, capped at 30 EUR: the 20 EUR charged by then count against it.
      await billing.createPrice(operator, { plan: 'even', per: 'hour', running: '0.20', stopped: '0.01', currency: 'EUR', monthlyCap: '30.00', effectiveFrom: new Date(april(15)).toISOString() }, 'c3');
      await runUntil(april(12));
      s = await billing.summary(k.member(tenantB), {});
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_d')?.spent.cents, 2000);
      assert.equal(s.burnRatePerHour.cents, 0);
      // At the cap till the 15th; then 50 h at 20 ct reach the new cap on the 17th at 02:00.
      await runUntil(april(16, 1));
      s = await billing.summary(k.member(tenantB), {});
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_d')?.spent.cents, 2500);
      assert.equal(s.forecast.cents, 3000);
      await runUntil(april(30, 23));
      s = await billing.summary(k.member(tenantB), {});
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_d')?.spent.cents, 3000);
      const booked = await k.db.selectFrom('usage_records').select((eb) => eb.fn.sum<string | number>('amount_uc').as('s')).where('resource_id', '=', 'srv_d').executeTakeFirstOrThrow();
      assert.equal(Number(booked.s), 30 * 100_000_000);
      // Into May the month starts again at zero: 2 h at 20 ct.
      await runUntil(Date.UTC(2026, 4, 1, 2));
      s = await billing.summary(k.member(tenantB), {});
      assert.equal(s.resources.find((r) => r.resourceId === 'srv_d')?.spent.cents, 40);
      const prices = await billing.listPrices();
      assert.deepEqual(prices.items.filter((p) => p.plan === 'even').map((p) => p.monthlyCap), ['20.00000000', '30.00000000']);
    });

    test('the store itself refuses to change or delete a ledger line', async () => {
      await assert.rejects(k.db.updateTable('ledger_entries').set({ amount_uc: 1 }).execute(), /append-only/);
      await assert.rejects(k.db.deleteFrom('ledger_entries').execute(), /append-only/);
      await assert.rejects(k.db.updateTable('ledger_transactions').set({ reference: 'x' }).execute(), /append-only/);
      await assert.rejects(k.db.deleteFrom('ledger_transactions').execute(), /append-only/);
    });
  });
}
