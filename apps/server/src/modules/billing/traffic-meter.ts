import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { bulkInsert } from '../../store/bulk-insert.ts';
import type { Database, LedgerEntriesTable, LedgerTransactionsTable, UsageRecordsTable } from '../../store/schema.ts';
import type { Ledger } from './ledger.ts';
import { ENTRY_COLUMNS, TRANSACTION_COLUMNS, USAGE_COLUMNS } from './usage-columns.ts';
import { productKey } from './meter-kinds.ts';
import type { Prices } from './prices.ts';
import { floorSecond, monthStart, nextMonthStart, priceAt } from './segments.ts';

/** Bytes in the GB a plan includes and traffic is priced per (decimal, as the traffic policy counts it). */
export const TRAFFIC_GB = 1_000_000_000;
/** The resource type and meter of traffic usage records. */
export const TRAFFIC = 'traffic';

interface Deps {
  clock: Clock;
  ledger: Ledger;
  prices: Prices;
}

/**
 * Metering of public outbound traffic beyond a plan's included amount. Unlike the lifecycle
 * meters this one counts bytes, not seconds: a pass sums each server's public outbound bytes of
 * the month from the hourly traffic rows, takes off what the plan includes and what earlier
 * passes booked, and books the rest at the traffic price in force now. Each record's key is the
 * server, the month and the overage it brings the month to, so a pass repeated after a crash
 * writes the same key and is refused by the primary key: nothing is charged twice. Overage seen
 * while no traffic price exists is booked at nothing, so a price set later never reaches back.
 * The month that just ended is finished by the first pass after its end.
 */
export function createTrafficMeter(d: Deps) {
  /** Books one month's new overage for every server that sent public traffic in it, inside `trx`. */
  async function meterMonth(trx: Kysely<Database>, start: number, now: number): Promise<void> {
    const end = nextMonthStart(start);
    const sent = await trx
      .selectFrom('nic_traffic as t')
      .innerJoin('meters as m', 'm.resource_id', 't.server_id')
      .innerJoin('server_phase_log as l', (j) => j.onRef('l.server_id', '=', 'm.resource_id').onRef('l.seq', '=', 'm.last_seq'))
      .innerJoin('plans as p', 'p.name', 'l.plan')
      .innerJoin('plan_traffic as pt', 'pt.plan_id', 'p.id')
      .select(['t.server_id', 'm.tenant_id', 'l.server_name', 'l.plan', 'pt.included_gb'])
      .select((eb) => eb.fn.sum<number | string>('t.out_bytes').as('bytes'))
      .where('t.public', '=', 1)
      .where('t.hour', '>=', start)
      .where('t.hour', '<', end)
      // A plan without an included amount has no traffic terms to go beyond; 0 GB is a limit too.
      .where('pt.included_gb', 'is not', null)
      .groupBy(['t.server_id', 'm.tenant_id', 'l.server_name', 'l.plan', 'pt.included_gb'])
      .execute();
    const over = sent.map((s) => ({ ...s, over: Math.max(0, Number(s.bytes) - Number(s.included_gb) * TRAFFIC_GB) })).filter((s) => s.over > 0);
    if (!over.length) return;
    const booked = await trx
      .selectFrom('usage_records')
      .select('resource_id')
      .select((eb) => eb.fn.sum<number | string>('quantity').as('bytes'))
      .where('resource_type', '=', TRAFFIC)
      .where('resource_id', 'in', over.map((s) => s.server_id))
      .where('start_at', '>=', start)
      .where('start_at', '<', end)
      .groupBy('resource_id')
      .execute();
    const done = new Map(booked.map((b) => [b.resource_id, Number(b.bytes)]));
    const price = priceAt((await d.prices.timelines(trx))(productKey('traffic')), Math.min(now, end - 1));
    // A month's bookings lie inside it: the last second of a month that has ended.
    const at = Math.min(floorSecond(now), end - 1000);
    const usage: UsageRecordsTable[] = [];
    const transactions: LedgerTransactionsTable[] = [];
    const entries: LedgerEntriesTable[] = [];
    for (const s of over) {
      const bytes = s.over - (done.get(s.server_id) ?? 0);
      if (bytes <= 0) continue;
      const key = `${s.server_id}:traffic:${new Date(start).toISOString().slice(0, 7)}:${s.over}`;
      const amountUc = price ? Number((BigInt(bytes) * BigInt(price.runningUc) * 2n + BigInt(TRAFFIC_GB)) / (2n * BigInt(TRAFFIC_GB))) : 0;
      let transactionId: string | null = null;
      if (amountUc > 0) {
        const gb = (bytes / TRAFFIC_GB).toFixed(3);
        const rows = d.ledger.rows({ tenantId: s.tenant_id, kind: 'charge', reference: key, description: `traffic of server ${s.server_name} beyond ${s.included_gb} GB: ${gb} GB`, amountUc, actorId: null, at });
        transactions.push(rows.transaction);
        entries.push(...rows.entries);
        transactionId = rows.transaction.id;
      }
      usage.push({ key, tenant_id: s.tenant_id, resource_type: TRAFFIC, resource_id: s.server_id, resource_name: s.server_name, plan: productKey('traffic'), meter: TRAFFIC, start_at: at, end_at: at, seconds: 0, price_id: price?.id ?? null, amount_uc: amountUc, transaction_id: transactionId, quantity: bytes });
    }
    await bulkInsert(trx, 'ledger_transactions', TRANSACTION_COLUMNS, transactions);
    await bulkInsert(trx, 'ledger_entries', ENTRY_COLUMNS, entries);
    await bulkInsert(trx, 'usage_records', USAGE_COLUMNS, usage);
  }

  return {
    /**
     * Books new overage of the month so far and, in its first days, of the month before (its
     * last hours may have been counted after its last pass); one transaction.
     */
    async pass(db: Kysely<Database>): Promise<void> {
      const now = d.clock();
      const current = monthStart(now);
      // Two passes at once (the sweep runs under one queue item, so only after a lost lease) would
      // book the same key: the primary key refuses the second, which rolls back and retries.
      await db.transaction().execute(async (trx) => {
        await meterMonth(trx, monthStart(current - 1), now);
        await meterMonth(trx, current, now);
      });
    },
  };
}

/** The traffic meter. */
export type TrafficMeter = ReturnType<typeof createTrafficMeter>;
