/**
 * The cost monitor reads one consistent picture while meter passes commit beside it: the credit
 * it shows at a given second is the same whether a pass has booked the usage up to that second
 * yet or not. (Dunning suspends on this figure, so a charge counted twice would stop a paying
 * tenant's servers, and the next pass would lift the suspension again.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kit, openKit } from './test-kit.ts';

const HOUR = 3_600_000;
const SERVERS = 300;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the cost monitor beside meter passes [${kind}]`, () => {
    let k: Kit;
    before(async () => {
      k = await openKit(kind, Date.UTC(2026, 4, 1));
    });
    after(async () => {
      await k?.close();
    });

    test('the credit at a second never depends on whether a pass has booked up to it', async () => {
      const { billing, operator, tenantA } = k;
      // 'even' costs 36 ct an hour at its own plan price: one cent every 100 s per server.
      await billing.book(operator, { tenantId: tenantA, kind: 'topup', amount: '10000.00', currency: 'EUR', reference: 'SUM-1' }, 'r1');
      const start = k.now();
      for (let i = 0; i < SERVERS; i++) await k.phase({ serverId: `srv_${String(i).padStart(4, '0')}`, tenantId: tenantA, name: `s${i}`, plan: 'even', phase: 'Running' });
      for (let round = 1; round <= 8; round++) {
        k.setNow(start + round * HOUR);
        const expected = 1_000_000 - round * SERVERS * 36;
        // Summaries run while the pass writes its charges and moves its cursors; each one must add up.
        const pass = k.meterAll();
        const seen: number[] = [];
        for (let i = 0; i < 6; i++) seen.push((await billing.summary(k.member(tenantA), {})).balance.cents);
        await pass;
        seen.push((await billing.summary(k.member(tenantA), {})).balance.cents);
        assert.deepEqual(seen, seen.map(() => expected), `round ${round}`);
      }
    });
  });
}
