/**
 * Benchmark of IPAM: N address allocations in one /16 on SQLite and on PostgreSQL, each in a
 * transaction of its own with the network's lock, as a server create takes them; then, with
 * all of them released and resting, N more (never-used ones still come first, so this shows
 * what the resting rows cost the walk).
 * Usage: node bench/network.ts [--count 10000]   (PostgreSQL: KUMULUS_TEST_PG_URL, as scripts/test.sh sets it)
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPgDatabase } from '../apps/server/test/harness.ts';
import { allocateAddress, releaseAddresses } from '../apps/server/src/modules/network/ipam.ts';
import { lockFor } from '../apps/server/src/store/locks.ts';
import { openStore, type Store } from '../apps/server/src/store/db.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' } } });
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 65_000) {
  console.error('--count must be an integer from 1 to 65000');
  process.exit(2);
}
const net = { name: 'bench', cidr: '10.200.0.0/16', gateway: '10.200.0.1' };

async function measure(store: Store): Promise<{ allocate: number; reallocate: number }> {
  const one = (i: number) =>
    store.db.transaction().execute(async (trx) => {
      await lockFor(trx, store.dialect, `network:${net.name}`);
      return allocateAddress(trx, net, `srv_${i}`, `nic_${i}`, { now: 0, cooldownMs: 0 });
    });
  let t0 = performance.now();
  for (let i = 0; i < count; i++) await one(i);
  const allocate = performance.now() - t0;
  for (let i = 0; i < count; i++) await store.db.transaction().execute((trx) => releaseAddresses(trx, `srv_${i}`, i));
  t0 = performance.now();
  for (let i = 0; i < count; i++) await one(count + i);
  const reallocate = performance.now() - t0;
  const held = await store.db.selectFrom('ip_allocations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(held.n) !== count) throw new Error(`expected ${count} held addresses, found ${held.n}`);
  return { allocate, reallocate };
}

const rows: string[][] = [];
const sqlite = await openStore('sqlite::memory:');
try {
  const r = await measure(sqlite);
  rows.push(['SQLite (in memory)', fmt(r.allocate), fmt(r.reallocate)]);
} finally {
  await sqlite.close();
}
if (process.env.KUMULUS_TEST_PG_URL) {
  const pgDb = await createPgDatabase();
  const pg = await openStore(pgDb.url);
  try {
    const r = await measure(pg);
    rows.push(['PostgreSQL', fmt(r.allocate), fmt(r.reallocate)]);
  } finally {
    await pg.close();
    await pgDb.drop();
  }
} else rows.push(['PostgreSQL', '-', 'skipped: KUMULUS_TEST_PG_URL is not set']);

console.log(`\nIPAM benchmark: ${count} allocations in a /16, one transaction each, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log(['store'.padEnd(20), `first ${count}`.padStart(14), `next ${count}, ${count} resting`.padStart(26)].join('  '));
for (const r of rows) console.log([r[0]!.padEnd(20), r[1]!.padStart(14), r[2]!.padStart(26)].join('  '));
console.log('\ntarget: 10,000 allocations ≤ 1 s on each store');

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
