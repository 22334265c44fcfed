/**
 * Benchmark: metering and rating many servers over a simulated month, on SQLite and PostgreSQL,
 * and the cost monitor's summary for a tenant with 1,000 servers. Uses the billing module on a
 * real store with an injected clock (no engine): the figures are the store's and the meter's.
 * Usage: node bench/billing.ts [--resources 10000] [--stores sqlite,postgres]
 * PostgreSQL needs KUMULUS_TEST_PG_URL (scripts/lib.sh ensure_postgres sets it up).
 */
import { parseArgs } from 'node:util';
import { openKit } from '../apps/server/src/modules/billing/test-kit.ts';

const { values } = parseArgs({ options: { resources: { type: 'string', default: '10000' }, stores: { type: 'string', default: 'sqlite,postgres' } } });
const n = Number(values.resources);
if (!(n >= 1000)) throw new Error('--resources takes a number of at least 1000');
const march = (day: number, h = 0) => Date.UTC(2026, 2, day, h);

for (const kind of values.stores.split(',') as ('sqlite' | 'postgres')[]) {
  const k = await openKit(kind, march(1));
  try {
    await k.billing.createPrice(k.operator, { plan: 'small', per: 'month', running: '7.30', stopped: '0.73', currency: 'EUR' }, 'bench');
    // A month of lifecycles: every server runs from the 1st; every third stops on the 10th, every
    // fifth is deleted on the 20th. The last 1,000 belong to tenant B, whose summary is measured.
    const servers = Array.from({ length: n }, (_, i) => ({ serverId: `srv_${i}`, tenantId: i >= n - 1000 ? k.tenantB : k.tenantA, name: `s${i}`, plan: 'small' }));
    let t0 = performance.now();
    for (const s of servers) await k.phase({ ...s, phase: 'Running' });
    k.setNow(march(10));
    for (const s of servers.filter((_, i) => i % 3 === 0)) await k.phase({ ...s, phase: 'Stopped' });
    k.setNow(march(20));
    for (const s of servers.filter((_, i) => i % 5 === 0)) await k.phase({ ...s, phase: 'Deleted' });
    const phases = await k.db.selectFrom('server_phase_log').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow();
    const phaseMs = performance.now() - t0;

    // One meter pass per server near the month's end books the whole month so far.
    k.setNow(march(31, 23));
    t0 = performance.now();
    await k.meterAll();
    const meterMs = performance.now() - t0;
    const records = Number((await k.db.selectFrom('usage_records').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow()).c);

    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s0 = performance.now();
      await k.billing.summary(k.member(k.tenantB), {});
      times.push(performance.now() - s0);
    }
    times.sort((a, b) => a - b);
    const summary = await k.billing.summary(k.member(k.tenantB), {});
    console.log(`[${kind}] ${n} servers, ${Number(phases.c)} phase changes recorded in ${phaseMs.toFixed(0)} ms (${((Number(phases.c) / phaseMs) * 1000).toFixed(0)}/s)`);
    console.log(`[${kind}] metered and rated a month of ${n} servers in ${meterMs.toFixed(0)} ms: ${records} usage records, ${((records / meterMs) * 1000).toFixed(0)} records/s (with their ledger charges)`);
    console.log(`[${kind}] cost-monitor summary for a tenant with 1000 servers: median ${times[3]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[6]!.toFixed(1)}); spent ${summary.spent.amount} EUR`);
  } finally {
    await k.close();
  }
}
