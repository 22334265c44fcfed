/**
 * A billing module on a real store (SQLite or PostgreSQL) with a clock the test moves, for the
 * module's tests and the benchmark: no control plane, no engine, only what billing reads.
 */
import { createPgDatabase } from '../../../test/harness.ts';
import { createIdGenerator } from '../../lib/ids.ts';
import { openStore, type Store } from '../../store/db.ts';
import { createAudit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { createLedger } from './ledger.ts';
import { createMetering, type PhaseChange } from './meter.ts';
import { createPrices } from './prices.ts';
import { createBilling } from './service.ts';

/** A billing module under test. */
export type Kit = Awaited<ReturnType<typeof openKit>>;

/**
 * Opens a fresh store of that kind with tenants `ten_a…` / `ten_b…`, plans and billing on a movable
 * clock; with `url`, the store there instead (a file or database another process shares), seeded
 * only when `seed` says so, and left in place on close.
 */
export async function openKit(kind: 'sqlite' | 'postgres', start = Date.UTC(2026, 2, 1), opts: { url?: string; seed?: boolean } = {}) {
  const pgdb = kind === 'postgres' && !opts.url ? await createPgDatabase() : null;
  const store: Store = await openStore(opts.url ?? (pgdb ? pgdb.url : 'sqlite::memory:'));
  let now = start;
  const clock = () => now;
  const ids = createIdGenerator(clock);
  const audit = createAudit({ clock, ids });
  const ledger = createLedger({ clock, ids });
  const prices = createPrices({ clock, ids });
  // A pass that fails after `faultIn` more writes stands for a process killed mid-pass.
  let faultIn = -1;
  const onWrite = () => {
    if (faultIn >= 0 && faultIn-- === 0) throw new Error('killed in the middle of a meter pass');
  };
  const metering = createMetering({ db: store.db, clock, ledger, prices, enqueue: async () => {}, everyMs: 3_600_000, onWrite });
  const billing = createBilling({ db: store.db, clock, ids, audit, ledger, prices, metering });
  const tenantA = 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa';
  const tenantB = 'ten_bbbbbbbbbbbbbbbbbbbbbbbbbb';
  const seed = opts.seed ?? !opts.url;
  for (const id of seed ? [tenantA, tenantB] : []) await store.db.insertInto('tenants').values({ id, name: id.slice(4, 9), created_at: now }).execute();
  for (const [name, cents] of seed ? ([['small', 2], ['medium', 6], ['even', 36]] as const) : []) {
    await store.db.insertInto('plans').values({ id: ids('plan'), name, description: '', vcpus: 1, memory_mb: 512, disk_gb: 5, price_hour_minor: cents, currency: 'EUR', created_at: now }).execute();
  }
  const principal = (tenantId: string, role: Principal['role']): Principal => ({ userId: `usr_${tenantId.slice(4)}`, tenantId, role, email: 'x@example.org', via: 'token', credentialId: 'kmt' });
  return {
    store,
    db: store.db,
    ledger,
    prices,
    metering,
    billing,
    tenantA,
    tenantB,
    operator: principal(tenantA, 'operator'),
    member: (tenantId: string) => principal(tenantId, 'member'),
    now: () => now,
    /** Moves the clock to `ms` (never backwards). */
    setNow(ms: number) {
      if (ms < now) throw new Error('the clock only moves forward');
      now = ms;
    },
    /** Records a phase change at the current time, as the server reconciler does. */
    phase(c: Omit<PhaseChange, 'at'>) {
      return store.db.transaction().execute((trx) => metering.recordPhase(trx, { ...c, at: now }));
    },
    /** Makes the meter fail after `n` more writes of a pass (once). */
    failAfter(n: number) {
      faultIn = n;
    },
    /** Runs the meter sweep over every open meter, as the work queue does every hour. */
    async meterAll() {
      await metering.reconciler('sweep', 0);
    },
    async close() {
      await store.close();
      await pgdb?.drop();
    },
  };
}
