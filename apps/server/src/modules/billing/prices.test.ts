/**
 * Prices taking effect "now": the time is taken where it is checked, so a second boundary passing
 * while the request runs cannot turn the default into a price in the past.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainError } from '../../lib/errors.ts';
import { createIdGenerator } from '../../lib/ids.ts';
import { createAudit } from '../audit/service.ts';
import { createLedger } from './ledger.ts';
import { createMetering } from './meter.ts';
import { createPrices } from './prices.ts';
import { createBilling } from './service.ts';
import { type Kit, openKit } from './test-kit.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`prices [${kind}]`, () => {
    let k: Kit;
    before(async () => {
      k = await openKit(kind, Date.UTC(2026, 5, 1));
    });
    after(async () => {
      await k?.close();
    });

    test('a price without an effective time starts at the next whole second, however the clock moves meanwhile', async () => {
      // A clock 3 ms before a second boundary that moves 2 ms every time it is read: the boundary
      // passes between any two readings, as it does on a loaded machine.
      let t = Date.UTC(2026, 5, 1, 12, 0, 0) - 3;
      const clock = () => {
        t += 2;
        return t;
      };
      const ids = createIdGenerator(clock);
      const ledger = createLedger({ clock, ids });
      const prices = createPrices({ clock, ids });
      const metering = createMetering({ db: k.db, clock, ledger, prices, enqueue: async () => {}, everyMs: 3_600_000 });
      const billing = createBilling({ db: k.db, clock, ids, audit: createAudit({ clock, ids }), ledger, prices, metering });
      const price = await billing.createPrice(k.operator, { plan: 'small', per: 'hour', running: '0.01', currency: 'EUR' }, 'r1');
      assert.equal(price.effectiveFrom, '2026-06-01T12:00:00.000Z');
      // An explicit time already passed is still refused.
      await assert.rejects(
        billing.createPrice(k.operator, { plan: 'small', per: 'hour', running: '0.02', currency: 'EUR', effectiveFrom: new Date(t - 5000).toISOString() }, 'r2'),
        (e: DomainError) => e.code === 'PRICE_IN_PAST' && e.details[0]?.field === 'effectiveFrom',
      );
    });
  });
}
