/**
 * The public-IP reconciler: one pass for the whole host reads every assigned public IP (of a
 * live server with a NIC on the default network) and every pool, and hands the engine the
 * plan to converge to. Safe to run twice; on a resync it puts back what was removed behind
 * our back and removes what a crash left.
 */
import type { Kysely } from 'kysely';
import type { Engine, PublicIpPlan, PublicRoute } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { ipv4ToInt } from './cidr.ts';
import { DEFAULT_NETWORK } from './networks.ts';
import { parsePoolRange } from './public-ranges.ts';

/** The queue key of the host's public-IP pass. */
export const PUBLIC_IP_KIND = 'public-ips';

/** The plan for the host: what the store says should be routed. */
export async function publicIpPlan(db: Kysely<Database>): Promise<PublicIpPlan> {
  const pools = await db.selectFrom('ip_pools').selectAll().execute();
  const rows = await db
    .selectFrom('public_ips')
    .innerJoin('servers', 'servers.id', 'public_ips.server_id')
    .innerJoin('ip_pools', 'ip_pools.id', 'public_ips.pool_id')
    .select(['public_ips.address', 'public_ips.family', 'servers.id as server', 'servers.spec', 'ip_pools.uplink'])
    .where('servers.deletion_requested_at', 'is', null)
    .execute();
  const routes: PublicRoute[] = [];
  for (const r of rows) {
    // IPv6 /64s are held and shown, but this engine routes IPv4 only so far.
    if (r.family !== 'ipv4') continue;
    const nics = (JSON.parse(r.spec) as { nics: { network: string; ipv4: string }[] }).nics;
    const nicIndex = nics.findIndex((n) => n.network === DEFAULT_NETWORK);
    if (nicIndex < 0) continue;
    routes.push({ address: r.address, instance: r.server, nicIndex, via: nics[nicIndex]!.ipv4.split('/')[0]!, uplink: r.uplink });
  }
  const v4 = pools.filter((p) => p.family === 'ipv4').map((p) => {
    const range = parsePoolRange(p.range);
    return { uplink: p.uplink, first: Number(range.first), last: Number(range.first) + range.size - 1 };
  });
  return { routes: routes.filter((r) => ipv4ToInt(r.address) !== null), pools: v4 };
}

/** Creates the reconciler; it runs again every `resyncMs` to repair drift. */
export function createPublicIpReconciler(d: { db: Kysely<Database>; engine: Engine; resyncMs: number }): Reconciler {
  return async () => {
    const driver = d.engine.publicIps;
    if (!driver) return { againMs: null };
    await driver.apply(await publicIpPlan(d.db));
    return { againMs: d.resyncMs };
  };
}
