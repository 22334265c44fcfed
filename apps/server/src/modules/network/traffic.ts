/**
 * Traffic accounting per NIC: a periodic collector reads the kernel's byte counters of every
 * NIC and adds what they grew by to the NIC's current hour, public (the NATed default network)
 * or private (vSwitches). The last reading is stored in the same transaction as the bytes it
 * added, so a killed process neither loses a reading it committed nor counts one twice; a link
 * made again (another ifindex, or counters below the last reading) counts from zero.
 */
import type { NicTraffic, TrafficHour } from '@kumulus/api';
import { type Kysely, sql } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { judgeTraffic } from './traffic-policy.ts';

const HOUR = 3_600_000;

interface Deps {
  db: Kysely<Database>;
  engine: Engine;
  /** Wakes a server whose standing against its plan's traffic terms changed. */
  wake: (trx: Kysely<Database>, serverId: string) => Promise<void>;
  clock: Clock;
  /** The default network's name: NICs there count as public traffic. */
  defaultNetwork: string;
  everyMs: number;
}

/** What a counter grew by since the last reading; everything when the link is new or was made again. */
export function counterDelta(last: { link: number; bytes: number } | undefined, now: { link: number; bytes: number }): number {
  if (!last || last.link !== now.link || now.bytes < last.bytes) return now.bytes;
  return now.bytes - last.bytes;
}

/** Reads every NIC's counters once and books the growth; one pass of the `traffic` queue entry. */
export async function collectTraffic(d: Omit<Deps, 'everyMs'>): Promise<void> {
  const servers = await d.db.selectFrom('servers').select(['id', 'spec']).execute();
  const nics = servers.flatMap((s) => (JSON.parse(s.spec) as { nics: { id: string; network: string }[] }).nics.map((n) => ({ ...n, serverId: s.id })));
  const readings = nics.length ? await d.engine.network.nicCounters(nics.map((n) => n.id)) : new Map();
  const hour = Math.floor(d.clock() / HOUR) * HOUR;
  await d.db.transaction().execute(async (trx) => {
    const ids = nics.map((n) => n.id);
    const lastRows = ids.length ? await trx.selectFrom('nic_counters').selectAll().where('nic_id', 'in', ids).execute() : [];
    const last = new Map(lastRows.map((r) => [r.nic_id, r]));
    for (const nic of nics) {
      const now = readings.get(nic.id);
      if (!now) continue; // not on the host now (stopped): nothing new to count
      const before = last.get(nic.id);
      const inBytes = counterDelta(before && { link: before.link, bytes: before.in_bytes }, { link: now.link, bytes: now.inBytes });
      const outBytes = counterDelta(before && { link: before.link, bytes: before.out_bytes }, { link: now.link, bytes: now.outBytes });
      await trx
        .insertInto('nic_counters')
        .values({ nic_id: nic.id, server_id: nic.serverId, link: now.link, in_bytes: now.inBytes, out_bytes: now.outBytes })
        .onConflict((oc) => oc.column('nic_id').doUpdateSet({ link: now.link, in_bytes: now.inBytes, out_bytes: now.outBytes }))
        .execute();
      if (inBytes === 0 && outBytes === 0) continue;
      await trx
        .insertInto('nic_traffic')
        .values({ nic_id: nic.id, hour, server_id: nic.serverId, public: nic.network === d.defaultNetwork ? 1 : 0, in_bytes: inBytes, out_bytes: outBytes })
        .onConflict((oc) =>
          oc.columns(['nic_id', 'hour']).doUpdateSet({ in_bytes: sql`nic_traffic.in_bytes + ${inBytes}`, out_bytes: sql`nic_traffic.out_bytes + ${outBytes}` }),
        )
        .execute();
    }
    for (const id of await judgeTraffic(trx, d.clock())) await d.wake(trx, id);
    // Readings of NICs that are gone (detached, server deleted) are of no more use.
    let gone = trx.deleteFrom('nic_counters');
    if (ids.length) gone = gone.where('nic_id', 'not in', ids);
    await gone.execute();
  });
}

/** The traffic collector as a reconciler of its own queue entry. */
export function createTrafficCollector(d: Deps): Reconciler {
  return async () => {
    await collectTraffic(d);
    return { againMs: d.everyMs };
  };
}

/**
 * A server's traffic per hour since `since` (epoch ms), oldest first: summed over its NICs
 * (public and private apart) and per NIC. `nicId` narrows both to one NIC; `networkOf` names
 * the network of a NIC still attached (null for one that is gone).
 */
export async function serverTraffic(
  db: Kysely<Database>,
  serverId: string,
  since: number,
  opts: { nicId?: string; networkOf?: (nicId: string) => string | null } = {},
): Promise<{ items: TrafficHour[]; nics: NicTraffic[] }> {
  let q = db.selectFrom('nic_traffic').select(['nic_id', 'hour', 'public', 'in_bytes', 'out_bytes']).where('server_id', '=', serverId).where('hour', '>=', since);
  if (opts.nicId) q = q.where('nic_id', '=', opts.nicId);
  const rows = await q.orderBy('hour').orderBy('nic_id').execute();
  const byHour = new Map<number, TrafficHour>();
  const byNic = new Map<string, NicTraffic>();
  for (const r of rows) {
    const [inBytes, outBytes] = [Number(r.in_bytes), Number(r.out_bytes)];
    const h = byHour.get(r.hour) ?? { hour: new Date(r.hour).toISOString(), publicInBytes: 0, publicOutBytes: 0, privateInBytes: 0, privateOutBytes: 0 };
    if (r.public) {
      h.publicInBytes += inBytes;
      h.publicOutBytes += outBytes;
    } else {
      h.privateInBytes += inBytes;
      h.privateOutBytes += outBytes;
    }
    byHour.set(r.hour, h);
    const n = byNic.get(r.nic_id) ?? { nicId: r.nic_id, network: opts.networkOf?.(r.nic_id) ?? null, public: Boolean(r.public), items: [] };
    n.items.push({ hour: new Date(r.hour).toISOString(), inBytes, outBytes });
    byNic.set(r.nic_id, n);
  }
  return { items: [...byHour.values()], nics: [...byNic.values()] };
}
