/**
 * Benchmark of IPAM: N address allocations in one /16 on SQLite and on PostgreSQL, each in a
 * transaction of its own with the network's lock, as a server create takes them; then, with
 * all of them released and resting, N more (never-used ones still come first, so this shows
 * what the resting rows cost the walk). Beside it: the same number of transactions that only
 * take the lock and write one row (what a commit costs the store, IPAM aside), N allocations
 * one by one inside one transaction (what IPAM itself costs), and N taken at once.
 * Usage: node bench/network.ts [--count 10000] [--at-once-only]   (PostgreSQL: KUMULUS_TEST_PG_URL, as scripts/test.sh sets it;
 * --at-once-only measures the N-at-once column alone, which spares the minutes the other columns take on a loaded host)
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPgDatabase } from '../apps/server/test/harness.ts';
import { allocateAddress, allocateAddresses, releaseAddresses } from '../apps/server/src/modules/network/ipam.ts';
import { lockFor } from '../apps/server/src/store/locks.ts';
import { openStore, type Store } from '../apps/server/src/store/db.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, 'at-once-only': { type: 'boolean', default: false } } });
const atOnceOnly = values['at-once-only'];
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 65_000) {
  console.error('--count must be an integer from 1 to 65000');
  process.exit(2);
}
const net = { name: 'bench', cidr: '10.200.0.0/16', gateway: '10.200.0.1' };

interface Figures {
  allocate: number;
  reallocate: number;
  commitsOnly: number;
  oneByOneInOne: number;
  atOnce: number;
}

async function measure(store: Store): Promise<Figures> {
  if (atOnceOnly) return { allocate: Number.NaN, reallocate: Number.NaN, commitsOnly: Number.NaN, oneByOneInOne: Number.NaN, atOnce: await atOnceFigure(store) };
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
  const held = await store.db.selectFrom('ip_allocations').select((eb) => eb.fn.countAll<number>().as('n')).where('network', '=', net.name).executeTakeFirstOrThrow();
  if (Number(held.n) !== count) throw new Error(`expected ${count} held addresses, found ${held.n}`);

  // The store's own price of a transaction that writes: lock, one upsert, commit.
  t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await store.db.transaction().execute(async (trx) => {
      await lockFor(trx, store.dialect, 'network:baseline');
      await trx.insertInto('ip_cursors').values({ network: 'baseline', next_fresh: i }).onConflict((oc) => oc.column('network').doUpdateSet({ next_fresh: i })).execute();
    });
  }
  const commitsOnly = performance.now() - t0;

  const fresh = (name: string, cidr: string) => ({ name, cidr, gateway: cidr.replace(/0\/16$/, '1') });
  const netA = fresh('bench-a', '10.201.0.0/16');
  t0 = performance.now();
  await store.db.transaction().execute(async (trx) => {
    await lockFor(trx, store.dialect, `network:${netA.name}`);
    for (let i = 0; i < count; i++) await allocateAddress(trx, netA, `srv_a${i}`, `nic_a${i}`, { now: 0, cooldownMs: 0 });
  });
  const oneByOneInOne = performance.now() - t0;

  return { allocate, reallocate, commitsOnly, oneByOneInOne, atOnce: await atOnceFigure(store) };
}

/** N addresses taken in one call, in one transaction. */
async function atOnceFigure(store: Store): Promise<number> {
  const netB = { name: 'bench-b', cidr: '10.202.0.0/16', gateway: '10.202.0.1' };
  const t0 = performance.now();
  const got = await store.db.transaction().execute(async (trx) => {
    await lockFor(trx, store.dialect, `network:${netB.name}`);
    return allocateAddresses(trx, netB, Array.from({ length: count }, (_, i) => ({ serverId: `srv_b${i}`, nicId: `nic_b${i}` })), { now: 0, cooldownMs: 0 });
  });
  const atOnce = performance.now() - t0;
  if (new Set(got).size !== count) throw new Error('an address was handed out twice');
  return atOnce;
}

const rows: [string, Figures | string][] = [];
const sqlite = await openStore('sqlite::memory:');
try {
  rows.push(['SQLite (in memory)', await measure(sqlite)]);
} finally {
  await sqlite.close();
}
if (process.env.KUMULUS_TEST_PG_URL) {
  const pgDb = await createPgDatabase();
  const pg = await openStore(pgDb.url);
  try {
    rows.push(['PostgreSQL', await measure(pg)]);
  } finally {
    await pg.close();
    await pgDb.drop();
  }
} else rows.push(['PostgreSQL', 'skipped: KUMULUS_TEST_PG_URL is not set']);

console.log(`\nIPAM benchmark: ${count} allocations in a /16, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const cols = ['store', `tx each: first ${count}`, `next ${count}, ${count} resting`, `${count} commits, no IPAM`, `${count} one by one, 1 tx`, `${count} at once, 1 tx`];
const widths = [20, 22, 26, 24, 22, 20];
console.log(cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
for (const [name, r] of rows) {
  const cells = typeof r === 'string' ? [r] : [fmt(r.allocate), fmt(r.reallocate), fmt(r.commitsOnly), fmt(r.oneByOneInOne), fmt(r.atOnce)];
  console.log([name.padEnd(widths[0]!), ...cells.map((c, i) => (typeof r === 'string' ? c : c.padStart(widths[i + 1]!)))].join('  '));
}
console.log('\ntarget: 10,000 allocations ≤ 1 s on each store');
console.log('"tx each" pays a durable commit per allocation, as a create does; "commits, no IPAM" is that price alone.');

function fmt(ms: number): string {
  if (Number.isNaN(ms)) return '-';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
