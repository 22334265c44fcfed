/**
 * Property: under random server lifecycles, random meter passes (some killed half-way) and
 * price changes, the ledger balances, every second billed is billed exactly once at the price in
 * force, and the tenant's credit is the sum of its entries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Kit, openKit } from './test-kit.ts';
import { BILLED_AS, floorSecond, priceAt } from './segments.ts';

const PHASES = ['Provisioning', 'Running', 'Stopped', 'Failed', 'Deleting'] as const;

const action = fc.oneof(
  fc.record({ type: fc.constant('phase' as const), server: fc.nat(3), phase: fc.constantFrom(...PHASES) }),
  fc.record({ type: fc.constant('delete' as const), server: fc.nat(3) }),
  fc.record({ type: fc.constant('meter' as const), killAfter: fc.option(fc.nat(5), { nil: undefined }) }),
  // Prices per hour in multiples of 3600 µct are exact per second, so the oracle needs no rounding.
  fc.record({ type: fc.constant('price' as const), running: fc.nat(500), stopped: fc.nat(50) }),
);
const step = fc.record({ dtSeconds: fc.nat(3000), dtMs: fc.nat(999), action });

for (const [kind, runs] of [['sqlite', 60], ['postgres', 12]] as const) {
  describe(`ledger under random lifecycles [${kind}]`, () => {
    let k: Kit;
    let run = 0;
    before(async () => {
      k = await openKit(kind);
    });
    after(async () => {
      await k?.close();
    });

    test('balances, bills each second once, and loses nothing to a killed pass', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
          run++;
          // Each run starts on a second of its own: a run that failed half-way (while fast-check
          // shrinks) must not leave a price at the very second the next run books one.
          k.setNow(Math.ceil(k.now() / 1000) * 1000 + 1000);
          const tenantId = `ten_${String(run).padStart(26, '0')}`;
          await k.db.insertInto('tenants').values({ id: tenantId, name: `prop${run}`, created_at: k.now() }).execute();
          await k.billing.book(k.operator, { tenantId, kind: 'topup', amount: '1000.00', currency: 'EUR', reference: `prop-${kind}-${run}` }, 'r');
          const servers = [0, 1, 2, 3].map((i) => ({ serverId: `srv_${run}_${i}`, tenantId, name: `s${i}`, plan: 'even' }));
          const gone = new Set<number>();
          for (const s of steps) {
            k.setNow(k.now() + s.dtSeconds * 1000 + s.dtMs);
            const a = s.action;
            if (a.type === 'phase' && !gone.has(a.server)) await k.phase({ ...servers[a.server]!, phase: a.phase });
            if (a.type === 'delete' && !gone.has(a.server)) {
              gone.add(a.server);
              await k.phase({ ...servers[a.server]!, phase: 'Deleted' });
            }
            if (a.type === 'meter') {
              if (a.killAfter !== undefined) {
                k.failAfter(a.killAfter);
                await k.meterAll().catch(() => {});
                k.failAfter(-1);
              }
              await k.meterAll();
            }
            if (a.type === 'price') {
              // A second price for the same second is refused (409) and changes nothing: the oracle
              // reads the prices that were stored.
              await k.billing
                .createPrice(k.operator, { plan: 'even', per: 'hour', running: euro(a.running * 3600), stopped: euro(a.stopped * 3600), currency: 'EUR' }, 'r')
                .catch((e: { code?: string }) => {
                  if (e.code !== 'CONFLICT') throw e;
                });
            }
          }
          // End of the story: everything still there is deleted, then metered twice.
          k.setNow(k.now() + 1000);
          for (const i of [0, 1, 2, 3]) if (!gone.has(i)) await k.phase({ ...servers[i]!, phase: 'Deleted' });
          k.setNow(k.now() + 1000);
          await k.meterAll();
          await k.meterAll();

          const prices = await k.prices.timelines(k.db);
          let expected = 0;
          for (const srv of servers) {
            const log = await k.db.selectFrom('server_phase_log').selectAll().where('server_id', '=', srv.serverId).orderBy('seq').execute();
            const usage = await k.db.selectFrom('usage_records').selectAll().where('resource_id', '=', srv.serverId).orderBy('start_at').execute();
            // The oracle walks the log second by second.
            const entries = log.map((e) => ({ phase: e.phase, at: floorSecond(Number(e.at)) }));
            let billed = 0;
            let cost = 0;
            if (entries.length) {
              const end = entries[entries.length - 1]!.at;
              let j = 0;
              for (let t = entries[0]!.at; t < end; t += 1000) {
                while (j + 1 < entries.length && entries[j + 1]!.at <= t) j++;
                const meter = BILLED_AS[entries[j]!.phase];
                if (!meter) continue;
                billed++;
                const p = priceAt(prices('even'), t)!;
                cost += (meter === 'running' ? p.runningUc : p.stoppedUc) / 3600;
              }
            }
            assert.equal(usage.reduce((x, u) => x + Number(u.seconds), 0), billed, `${srv.serverId}: seconds billed`);
            assert.equal(usage.reduce((x, u) => x + Number(u.amount_uc), 0), cost, `${srv.serverId}: amount`);
            for (let i = 1; i < usage.length; i++) assert.ok(Number(usage[i]!.start_at) >= Number(usage[i - 1]!.end_at), 'usage never overlaps');
            expected += cost;
          }
          const unbalanced = await k.db.selectFrom('ledger_entries').select('transaction_id').where('tenant_id', '=', tenantId).groupBy('transaction_id').having((eb) => eb.fn.sum('amount_uc'), '!=', 0).execute();
          assert.deepEqual(unbalanced, []);
          assert.equal(await k.ledger.balance(k.db, tenantId), 1000 * 100_000_000 - expected);
        }),
        { numRuns: runs },
      );
      const total = await k.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<string | number>('amount_uc').as('s')).executeTakeFirstOrThrow();
      assert.equal(Number(total.s), 0, 'the books as a whole sum to zero');
    });
  });
}

/** Micro-cents as a euro string. */
function euro(uc: number): string {
  return `${Math.floor(uc / 100_000_000)}.${String(uc % 100_000_000).padStart(8, '0')}`;
}
