import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { PhaseChange } from '../compute/server-reconciler.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import { bulkInsert, bulkUpdate } from '../../store/bulk-insert.ts';
import type { Database, LedgerEntriesTable, LedgerTransactionsTable, MetersTable, UsageRecordsTable } from '../../store/schema.ts';
import type { Ledger } from './ledger.ts';
import { GIB, type LifecycleChange, METER_KINDS, productKey } from './meter-kinds.ts';
import type { Prices } from './prices.ts';
import { createTrafficMeter } from './traffic-meter.ts';
import { ENTRY_COLUMNS, TRANSACTION_COLUMNS, USAGE_COLUMNS } from './usage-columns.ts';
import { floorSecond, monthStart, nextMonthStart, type PhaseEntry, sliceUsage, type UsageSlice } from './segments.ts';

/** A server's phase as committed by the server reconciler: what the meter counts from. */
export type { PhaseChange };

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ledger: Ledger;
  prices: Prices;
  /** Asks for a meter pass, inside the caller's transaction. */
  enqueue: (trx: Kysely<Database>, kind: string, id: string, delayMs?: number) => Promise<void>;
  /** How often a live resource's usage is booked. */
  everyMs: number;
  /** Called between the writes of a pass; failure tests throw here to stand for a process killed there. */
  onWrite?: (what: string) => void;
}

/** The kind of queue item a meter pass runs under. */
export const METER_KIND = 'meter';
/** The id of the periodic pass over every open meter. */
export const SWEEP = 'sweep';
/** Meters booked in one transaction by the sweep. */
const BATCH = 500;

/**
 * Metering from each resource's own lifecycle. The server reconciler records every phase it
 * commits (in the same transaction as the status), and so do the reconcilers and services of the
 * other kinds (meter-kinds.ts) with theirs; a meter pass books the usage from the meter's
 * cursor up to now as usage records with deterministic keys and ledger charges, and moves the
 * cursor, all in one transaction: a crash loses or doubles nothing, the next pass starts where
 * the last committed one ended.
 */
export function createMetering(d: Deps) {
  const { db, clock } = d;
  const traffic = createTrafficMeter(d);

  /**
   * The phase logs of the open meters `which` selects (by ids or by tenant), each in commit order:
   * servers from their own log, every other kind from the resource log; one query per log.
   */
  async function readLogs(trx: Kysely<Database>, which: { ids: string[] } | { tenantId: string }): Promise<Map<string, PhaseEntry[]>> {
    const logs = new Map<string, PhaseEntry[]>();
    const add = (id: string, e: PhaseEntry) => {
      const log = logs.get(id);
      if (log) log.push(e);
      else logs.set(id, [e]);
    };
    const servers = trx.selectFrom('server_phase_log as l').select(['l.server_id as id', 'l.phase', 'l.plan', 'l.server_name as name', 'l.at']);
    const others = trx.selectFrom('resource_phase_log as l').select(['l.resource_id as id', 'l.kind', 'l.phase', 'l.product', 'l.name', 'l.quantity', 'l.at']);
    const [s, o] =
      'ids' in which
        ? await Promise.all([servers.where('l.server_id', 'in', which.ids).orderBy('l.server_id').orderBy('l.seq').execute(), others.where('l.resource_id', 'in', which.ids).orderBy('l.resource_id').orderBy('l.seq').execute()])
        : await Promise.all([
            servers.innerJoin('meters as m', 'm.resource_id', 'l.server_id').where('m.tenant_id', '=', which.tenantId).where('m.closed', '=', 0).orderBy('l.server_id').orderBy('l.seq').execute(),
            others.innerJoin('meters as m', 'm.resource_id', 'l.resource_id').where('m.tenant_id', '=', which.tenantId).where('m.closed', '=', 0).orderBy('l.resource_id').orderBy('l.seq').execute(),
          ]);
    for (const r of s) add(r.id, { phase: r.phase, plan: r.plan, name: r.name, at: Number(r.at) });
    for (const r of o) add(r.id, { kind: r.kind, phase: r.phase, plan: r.product, name: r.name, quantity: Number(r.quantity), at: Number(r.at) });
    return logs;
  }

  /**
   * What each of these meters' resources was charged already in the month its cursor lies in, for
   * prices with a monthly cap: one grouped query per such month (one, or two around a month's end),
   * and none at all while no price has a cap.
   */
  async function chargedSoFar(trx: Kysely<Database>, meters: { resource_id: string; metered_until: number | null }[]): Promise<Map<string, Map<number, number>>> {
    const out = new Map<string, Map<number, number>>();
    for (const m of meters) out.set(m.resource_id, new Map());
    if (!meters.length || !(await trx.selectFrom('prices').select('id').where('cap_uc', 'is not', null).limit(1).executeTakeFirst())) return out;
    const months = new Set(meters.filter((m) => m.metered_until !== null).map((m) => monthStart(Number(m.metered_until))));
    for (const month of months) {
      const rows = await trx
        .selectFrom('usage_records')
        .select('resource_id')
        .select((eb) => eb.fn.sum<number | string>('amount_uc').as('uc'))
        .where('resource_id', 'in', meters.map((m) => m.resource_id))
        .where('start_at', '>=', month)
        .where('start_at', '<', nextMonthStart(month))
        .groupBy('resource_id')
        .execute();
      for (const r of rows) out.get(r.resource_id)?.set(month, Number(r.uc));
    }
    return out;
  }

  /** Where booking stops now: the present second, or the second the server was deleted. */
  function endOf(log: PhaseEntry[], now: number): { until: number; closed: boolean } {
    const last = log[log.length - 1];
    if (last?.phase === 'Deleted') return { until: Math.min(floorSecond(now), floorSecond(last.at)), closed: floorSecond(now) >= floorSecond(last.at) };
    return { until: floorSecond(now), closed: false };
  }

  /** Opens or advances a resource's meter inside the caller's transaction; answers the entry's seq and the settled time. */
  async function advance(trx: Kysely<Database>, resourceId: string, tenantId: string, type: string) {
    const meter = await trx
      .insertInto('meters')
      .values({ resource_id: resourceId, tenant_id: tenantId, resource_type: type, last_seq: 1, metered_until: null, closed: 0 })
      .onConflict((oc) => oc.column('resource_id').doUpdateSet({ last_seq: sql`meters.last_seq + 1` }))
      .returning(['last_seq', 'metered_until'])
      .executeTakeFirstOrThrow();
    return { seq: Number(meter.last_seq), settled: Number(meter.metered_until ?? 0) };
  }

  const api = {
    /** Records a committed server phase change inside the caller's (the status's) transaction. */
    async recordPhase(trx: Kysely<Database>, c: PhaseChange): Promise<void> {
      const meter = await advance(trx, c.serverId, c.tenantId, 'server');
      // A phase never starts before what a pass has booked already: that stretch is settled.
      const at = Math.max(c.at, meter.settled);
      await trx
        .insertInto('server_phase_log')
        .values({ server_id: c.serverId, seq: meter.seq, tenant_id: c.tenantId, server_name: c.name, plan: c.plan, phase: c.phase, at })
        .execute();
      await d.enqueue(trx, METER_KIND, c.serverId);
    },

    /**
     * Records a lifecycle change of a volume, snapshot or public IP inside the transaction that
     * commits it. Called on every status save: a change of neither phase, product nor quantity is
     * no change and records nothing, and a resource gone before it was ever recorded has nothing to close.
     */
    async record(trx: Kysely<Database>, c: LifecycleChange): Promise<void> {
      if (!METER_KINDS[c.kind] || c.kind === 'server') throw new Error(`metering: unknown kind ${c.kind}`);
      const last = await trx.selectFrom('resource_phase_log').select(['phase', 'product', 'quantity']).where('resource_id', '=', c.resourceId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      if (last ? last.phase === c.phase && last.product === c.product && Number(last.quantity) === c.quantity : c.phase === 'Deleted') return;
      if (last?.phase === 'Deleted') return;
      const meter = await advance(trx, c.resourceId, c.tenantId, c.kind);
      const at = Math.max(c.at, meter.settled);
      await trx
        .insertInto('resource_phase_log')
        .values({ resource_id: c.resourceId, seq: meter.seq, tenant_id: c.tenantId, kind: c.kind, name: c.name, product: c.product, quantity: c.quantity, phase: c.phase, at })
        .execute();
      await d.enqueue(trx, METER_KIND, c.resourceId);
    },

    /**
     * Starts meters for servers and public IPs that have none (made before they were metered):
     * they are billed from now on as they are, as nothing of their past can be told exactly.
     */
    async adopt(): Promise<number> {
      const rows = await db
        .selectFrom('servers')
        .leftJoin('meters', 'meters.resource_id', 'servers.id')
        .select(['servers.id', 'servers.tenant_id', 'servers.name', 'servers.spec', 'servers.status'])
        .where('meters.resource_id', 'is', null)
        .execute();
      for (const r of rows) {
        const phase = (JSON.parse(r.status) as { phase: string }).phase;
        const plan = (JSON.parse(r.spec) as { plan: string }).plan;
        await db.transaction().execute((trx) => api.recordPhase(trx, { serverId: r.id, tenantId: r.tenant_id, name: r.name, plan, phase, at: clock() }));
      }
      // Public IPs held, and volumes, snapshots and backups existing, before they were metered:
      // likewise from now, as their status says they are (not only from their reconciler's next resync).
      const ips = await db.selectFrom('public_ips').leftJoin('meters', 'meters.resource_id', 'public_ips.id').select(['public_ips.id', 'public_ips.tenant_id', 'public_ips.name', 'public_ips.family']).where('meters.resource_id', 'is', null).execute();
      const changes: LifecycleChange[] = ips.map((r) => ({ resourceId: r.id, kind: 'public-ip', tenantId: r.tenant_id, name: r.name, product: productKey(r.family === 'ipv6' ? 'public-ipv6' : 'public-ipv4'), quantity: 1, phase: 'Held', at: clock() }));
      const volumes = await db.selectFrom('volumes as v').leftJoin('meters as m', 'm.resource_id', 'v.id').select(['v.id', 'v.tenant_id', 'v.name', 'v.spec', 'v.status']).where('m.resource_id', 'is', null).where('v.deletion_requested_at', 'is', null).execute();
      for (const r of volumes) {
        const spec = JSON.parse(r.spec) as { sizeGb: number };
        changes.push({ resourceId: r.id, kind: 'volume', tenantId: r.tenant_id, name: r.name, product: productKey('volume'), quantity: spec.sizeGb * GIB, phase: (JSON.parse(r.status) as { phase: string }).phase, at: clock() });
      }
      const snapshots = await db.selectFrom('snapshots as s').leftJoin('meters as m', 'm.resource_id', 's.id').select(['s.id', 's.tenant_id', 's.name', 's.status']).where('m.resource_id', 'is', null).where('s.deletion_requested_at', 'is', null).execute();
      for (const r of snapshots) {
        const status = JSON.parse(r.status) as { phase: string; usedBytes?: number | null; sizeBytes?: number | null };
        changes.push({ resourceId: r.id, kind: 'snapshot', tenantId: r.tenant_id, name: r.name, product: productKey('snapshot'), quantity: status.usedBytes ?? status.sizeBytes ?? 0, phase: status.phase, at: clock() });
      }
      const backups = await db.selectFrom('backups as b').leftJoin('meters as m', 'm.resource_id', 'b.id').select(['b.id', 'b.tenant_id', 'b.server_name', 'b.status']).where('m.resource_id', 'is', null).where('b.deletion_requested_at', 'is', null).execute();
      for (const r of backups) {
        const status = JSON.parse(r.status) as { phase: string; sizeBytes: number | null };
        changes.push({ resourceId: r.id, kind: 'backup', tenantId: r.tenant_id, name: r.server_name, product: productKey('backup'), quantity: status.sizeBytes ?? 0, phase: status.phase, at: clock() });
      }
      for (const c of changes) await db.transaction().execute((trx) => api.record(trx, c));
      return rows.length + changes.length;
    },

    /**
     * The meter reconciler. Id `sweep` books every open meter up to now, 500 to a transaction,
     * every `everyMs`; a server's own id (queued by each phase change) books just that server,
     * so a deleted server's books close at once.
     */
    reconciler: (async (id: string, _attempts: number) => {
      if (id !== SWEEP) {
        await meterMany([id]);
        return { againMs: null };
      }
      let after = '';
      for (;;) {
        const batch = await db.selectFrom('meters').select('resource_id').where('closed', '=', 0).where('resource_id', '>', after).orderBy('resource_id').limit(BATCH).execute();
        if (!batch.length) break;
        await meterMany(batch.map((m) => m.resource_id));
        after = batch[batch.length - 1]!.resource_id;
      }
      await traffic.pass(db);
      return { againMs: d.everyMs };
    }) satisfies Reconciler,

    /** Usage since each meter's cursor that no pass has booked yet, rated the same way. */
    async unbooked(trx: Kysely<Database>, tenantId: string): Promise<(UsageSlice & { resourceId: string; resourceType: string })[]> {
      const meters = await trx.selectFrom('meters').selectAll().where('tenant_id', '=', tenantId).where('closed', '=', 0).execute();
      // One query per log for every open meter, not one per resource: the cost monitor must stay quick.
      const logs = await readLogs(trx, { tenantId });
      const prices = await d.prices.timelines(trx);
      const charged = await chargedSoFar(trx, meters);
      const now = clock();
      const out: (UsageSlice & { resourceId: string; resourceType: string })[] = [];
      for (const m of meters) {
        const log = logs.get(m.resource_id);
        if (!log?.length) continue;
        const from = m.metered_until === null ? floorSecond(log[0]!.at) : Number(m.metered_until);
        for (const s of sliceUsage(log, from, endOf(log, now).until, prices, charged.get(m.resource_id))) out.push({ ...s, resourceId: m.resource_id, resourceType: m.resource_type });
      }
      return out;
    },

    /** Each open meter's last phase entry: what the tenant's resources are billed as now. */
    async current(trx: Kysely<Database>, tenantId: string): Promise<(PhaseEntry & { resourceId: string; resourceType: string })[]> {
      const [servers, others] = await Promise.all([
        trx
          .selectFrom('server_phase_log as l')
          .innerJoin('meters as m', (j) => j.onRef('m.resource_id', '=', 'l.server_id').onRef('m.last_seq', '=', 'l.seq'))
          .select(['l.server_id', 'l.phase', 'l.plan', 'l.server_name', 'l.at'])
          .where('m.tenant_id', '=', tenantId)
          .where('m.closed', '=', 0)
          .execute(),
        trx
          .selectFrom('resource_phase_log as l')
          .innerJoin('meters as m', (j) => j.onRef('m.resource_id', '=', 'l.resource_id').onRef('m.last_seq', '=', 'l.seq'))
          .select(['l.resource_id', 'l.kind', 'l.phase', 'l.product', 'l.name', 'l.quantity', 'l.at'])
          .where('m.tenant_id', '=', tenantId)
          .where('m.closed', '=', 0)
          .execute(),
      ]);
      return [
        ...servers.map((r) => ({ resourceId: r.server_id, resourceType: 'server', phase: r.phase, plan: r.plan, name: r.server_name, at: Number(r.at) })),
        ...others.map((r) => ({ resourceId: r.resource_id, resourceType: r.kind, kind: r.kind, phase: r.phase, plan: r.product, name: r.name, quantity: Number(r.quantity), at: Number(r.at) })),
      ];
    },
  };
  return api;

  /**
   * Books usage up to now for these meters in one transaction: locks them, reads their logs in
   * one query, rates the slices and writes usage records, charges and cursors in bulk. The usage
   * key (resource and start second) is the primary key: a second booking fails the whole batch.
   */
  async function meterMany(ids: string[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      // The no-op update takes PostgreSQL's row locks, so a phase being recorded and a pass over
      // the same server wait for each other (and then read what the other committed); SQLite has one writer.
      const meters = await trx.updateTable('meters').set({ last_seq: sql`last_seq` }).where('resource_id', 'in', ids).where('closed', '=', 0).returningAll().execute();
      if (!meters.length) return;
      const logs = await readLogs(trx, { ids: meters.map((m) => m.resource_id) });
      const prices = await d.prices.timelines(trx);
      const charged = await chargedSoFar(trx, meters);
      const now = clock();
      const usage: UsageRecordsTable[] = [];
      const transactions: LedgerTransactionsTable[] = [];
      const entries: LedgerEntriesTable[] = [];
      const cursors: Pick<MetersTable, 'resource_id' | 'metered_until' | 'closed'>[] = [];
      for (const m of meters) {
        const log = logs.get(m.resource_id);
        if (!log?.length) continue;
        const { until, closed } = endOf(log, now);
        const from = m.metered_until === null ? floorSecond(log[0]!.at) : Number(m.metered_until);
        for (const s of sliceUsage(log, from, until, prices, charged.get(m.resource_id))) {
          const key = `${m.resource_id}:${s.start / 1000}`;
          let transactionId: string | null = null;
          if (s.amountUc > 0) {
            const rows = d.ledger.rows({ tenantId: m.tenant_id, kind: 'charge', reference: key, description: describe(m.resource_type, s), amountUc: s.amountUc, actorId: null, at: s.end });
            transactions.push(rows.transaction);
            entries.push(...rows.entries);
            transactionId = rows.transaction.id;
          }
          usage.push({
            key,
            tenant_id: m.tenant_id,
            resource_type: m.resource_type,
            resource_id: m.resource_id,
            resource_name: s.name,
            plan: s.plan,
            meter: s.meter,
            start_at: s.start,
            end_at: s.end,
            seconds: s.seconds,
            price_id: s.priceId,
            amount_uc: s.amountUc,
            transaction_id: transactionId,
            quantity: s.quantity,
          });
        }
        cursors.push({ resource_id: m.resource_id, metered_until: Math.max(from, until), closed: closed ? 1 : 0 });
      }
      // One statement per table for the whole batch (bulk-insert.ts): compiling multi-row inserts and
      // a round trip per chunk were most of what a pass cost.
      await bulkInsert(trx, 'ledger_transactions', TRANSACTION_COLUMNS, transactions);
      d.onWrite?.('ledger_transactions');
      await bulkInsert(trx, 'ledger_entries', ENTRY_COLUMNS, entries);
      d.onWrite?.('ledger_entries');
      await bulkInsert(trx, 'usage_records', USAGE_COLUMNS, usage);
      d.onWrite?.('usage_records');
      await bulkUpdate(trx, 'meters', 'resource_id', { metered_until: 'bigint', closed: 'integer' }, cursors);
      d.onWrite?.('meters');
    });
  }
}

/** A charge's line on the tenant's account: what, which, as what, how long (and how big). */
function describe(type: string, s: UsageSlice): string {
  if (type === 'server') return `server ${s.name} (${s.plan}) ${s.meter} ${s.seconds} s`;
  const size = METER_KINDS[type]?.unit === 'GB' ? ` ${(s.quantity / 1024 ** 3).toFixed(2)} GB` : '';
  return `${type} ${s.name}${size} ${s.seconds} s`;
}

/** The metering service. */
export type Metering = ReturnType<typeof createMetering>;
