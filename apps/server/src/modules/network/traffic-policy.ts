/**
 * Plans' network terms and what follows from them: a default rate limit for every NIC, the
 * public outbound traffic included per month, a throttle (soft limit) past it and a hard limit
 * that billing reads as a condition on the server. The collector judges each server after it
 * books traffic; the server reconciler turns the verdict into rates and the condition.
 */
import type { Nic, PlanTraffic } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { DomainError } from '../../lib/errors.ts';
import type { Database, PlanTrafficTable } from '../../store/schema.ts';
import { type Principal, requireRole } from '../identity/principal.ts';

const GB = 1_000_000_000;

/** Where a server stands against its plan's terms this month. */
export type TrafficVerdict = 'ok' | 'throttled' | 'blocked';

/** The month a time falls in, as `YYYY-MM` (UTC). */
export const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);

const toPlanTraffic = (r: PlanTrafficTable | undefined): PlanTraffic => ({
  nicMbit: r?.nic_mbit ?? null,
  includedGb: r?.included_gb ?? null,
  throttleMbit: r?.throttle_mbit ?? null,
  hardLimitGb: r?.hard_limit_gb ?? null,
});

async function planRow(db: Kysely<Database>, ref: string) {
  const plan = await db.selectFrom('plans').select('id').where(ref.startsWith('plan_') ? 'id' : 'name', '=', ref).executeTakeFirst();
  if (!plan) throw new DomainError('PLAN_NOT_FOUND', { plan: ref });
  return plan.id;
}

/** Reads and sets plans' network terms. */
export function createPlanTraffic(db: Kysely<Database>) {
  return {
    /** A plan's network terms (all null when it has none). */
    async get(ref: string): Promise<PlanTraffic> {
      const id = await planRow(db, ref);
      return toPlanTraffic(await db.selectFrom('plan_traffic').selectAll().where('plan_id', '=', id).executeTakeFirst());
    },
    /** Replaces a plan's network terms (operators); servers on it follow on their next pass. */
    async set(p: Principal, ref: string, body: PlanTraffic): Promise<PlanTraffic> {
      requireRole(p, 'operator', { en: 'change plans', de: 'Tarife ändern' });
      const id = await planRow(db, ref);
      const row = { plan_id: id, nic_mbit: body.nicMbit, included_gb: body.includedGb, throttle_mbit: body.throttleMbit, hard_limit_gb: body.hardLimitGb };
      await db
        .insertInto('plan_traffic')
        .values(row)
        .onConflict((oc) => oc.column('plan_id').doUpdateSet({ nic_mbit: row.nic_mbit, included_gb: row.included_gb, throttle_mbit: row.throttle_mbit, hard_limit_gb: row.hard_limit_gb }))
        .execute();
      return toPlanTraffic(row);
    },
  };
}

/** The terms of the plan a server's spec names, by plan name; undefined when it has none. */
export async function termsOf(db: Kysely<Database>, planName: string): Promise<PlanTrafficTable | undefined> {
  return db.selectFrom('plan_traffic').innerJoin('plans', 'plans.id', 'plan_traffic.plan_id').selectAll('plan_traffic').where('plans.name', '=', planName).executeTakeFirst();
}

/** The verdict for a month's public outbound bytes under a plan's terms. */
export function verdictFor(terms: PlanTrafficTable | undefined, publicOutBytes: number): TrafficVerdict {
  if (!terms) return 'ok';
  // 0 is a limit too (nothing included), not "none".
  if (terms.hard_limit_gb !== null && publicOutBytes > terms.hard_limit_gb * GB) return 'blocked';
  if (terms.included_gb !== null && publicOutBytes > terms.included_gb * GB) return 'throttled';
  return 'ok';
}

/**
 * The NICs with the limits the engine should apply: the NIC's own, else the plan's default;
 * public NICs of a server past its included traffic at most the plan's throttle rate out.
 */
export async function effectiveNics(db: Kysely<Database>, serverId: string, planName: string, publicNetwork: string, nics: Nic[], now: number): Promise<{ nics: Nic[]; verdict: TrafficVerdict }> {
  const terms = await termsOf(db, planName);
  if (!terms) return { nics, verdict: 'ok' };
  const state = await db.selectFrom('traffic_state').select(['state', 'month']).where('server_id', '=', serverId).executeTakeFirst();
  const verdict = (state && state.month === monthOf(now) ? state.state : 'ok') as TrafficVerdict;
  const out = nics.map((n) => {
    const ingressMbit = n.ingressMbit || terms.nic_mbit || 0;
    let egressMbit = n.egressMbit || terms.nic_mbit || 0;
    if (verdict !== 'ok' && n.network === publicNetwork && terms.throttle_mbit) egressMbit = egressMbit ? Math.min(egressMbit, terms.throttle_mbit) : terms.throttle_mbit;
    return { ...n, ...(ingressMbit ? { ingressMbit } : {}), ...(egressMbit ? { egressMbit } : {}) };
  });
  return { nics: out, verdict };
}

/**
 * Judges every server whose plan has terms against this month's public outbound traffic and
 * stores the verdict; answers the servers whose verdict changed, to be woken.
 */
export async function judgeTraffic(trx: Kysely<Database>, now: number): Promise<string[]> {
  const month = monthOf(now);
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const servers = await trx.selectFrom('servers').select(['id', 'spec']).execute();
  const changed: string[] = [];
  for (const s of servers) {
    const terms = await termsOf(trx, (JSON.parse(s.spec) as { plan: string }).plan);
    if (!terms) continue;
    const sum = await trx
      .selectFrom('nic_traffic')
      .select((eb) => eb.fn.sum<number>('out_bytes').as('n'))
      .where('server_id', '=', s.id)
      .where('public', '=', 1)
      .where('hour', '>=', start)
      .executeTakeFirst();
    const bytes = Number(sum?.n ?? 0);
    const verdict = verdictFor(terms, bytes);
    const old = await trx.selectFrom('traffic_state').select(['state', 'month']).where('server_id', '=', s.id).executeTakeFirst();
    const oldVerdict = old && old.month === month ? old.state : 'ok';
    await trx
      .insertInto('traffic_state')
      .values({ server_id: s.id, month, state: verdict, public_out_bytes: bytes })
      .onConflict((oc) => oc.column('server_id').doUpdateSet({ month, state: verdict, public_out_bytes: bytes }))
      .execute();
    if (oldVerdict !== verdict) changed.push(s.id);
  }
  return changed;
}
