import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Engine, VSwitchSpec } from '../../drivers/types.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import type { Operations } from '../operations/service.ts';
import { serviceAddress6 } from './cidr6.ts';
import type { NetworkStatus } from './networks.ts';

/** Failed passes in a row before the network is marked Failed and its operations end. */
const MAX_ATTEMPTS = 5;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  engine: Engine;
  operations: Operations;
  /** How often a converged network is looked at again: drift, and names of servers gone since. */
  resyncMs: number;
}

/** Every NIC on a network, with the name and MAC its server's spec gives it. */
export async function hostsOf(db: Kysely<Database>, networkId: string): Promise<VSwitchSpec['hosts']> {
  const rows = await db
    .selectFrom('ip_allocations')
    .innerJoin('servers', 'servers.id', 'ip_allocations.server_id')
    .select(['ip_allocations.address', 'ip_allocations.nic_id', 'servers.spec'])
    .where('ip_allocations.network', '=', networkId)
    .orderBy('ip_allocations.address')
    .execute();
  return rows.flatMap((r) => {
    const spec = JSON.parse(r.spec) as { hostname: string; nics: { id: string; mac: string; ipv6?: string }[] };
    const nic = spec.nics.find((n) => n.id === r.nic_id);
    return nic ? [{ hostname: spec.hostname, ipv4: r.address, ...(nic.ipv6 ? { ipv6: nic.ipv6.split('/')[0]! } : {}), mac: nic.mac, nicId: nic.id }] : [];
  });
}

/**
 * The network reconciler: makes the host's vSwitch match the network row (bridge, service
 * namespace, dnsmasq with every NIC's name), or removes it all when deletion was asked for.
 */
export function createNetworkReconciler(d: Deps): Reconciler {
  const { db, clock, engine, operations } = d;
  const save = (trx: Kysely<Database>, id: string, status: NetworkStatus) =>
    trx.updateTable('networks').set({ status: JSON.stringify(status), updated_at: clock() }).where('id', '=', id).execute();

  return async (id, attempts) => {
    const row = await db.selectFrom('networks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { againMs: null };
    const status = JSON.parse(row.status) as NetworkStatus;
    try {
      if (row.deletion_requested_at !== null) {
        status.phase = 'Deleting';
        await engine.network.removeNetwork(id);
        await db.transaction().execute(async (trx) => {
          await operations.succeed(trx, id, row.generation, 'deleted');
          await trx.deleteFrom('ip_releases').where('network', '=', id).execute();
          await trx.deleteFrom('ip_cursors').where('network', '=', id).execute();
          await trx.deleteFrom('networks').where('id', '=', id).execute();
        });
        return { againMs: null };
      }
      await engine.network.ensureNetwork({
        id,
        cidr: row.ipv4_cidr,
        serviceAddress: row.dns_server,
        gateway: row.gateway,
        ...(row.ipv6_cidr ? { ipv6: { cidr: row.ipv6_cidr, serviceAddress: serviceAddress6(row.ipv6_cidr) } } : {}),
        domain: row.dns_domain,
        hosts: await hostsOf(db, id),
      });
      const ready: NetworkStatus = { phase: 'Ready', message: 'the network is in place on the host', observedGeneration: row.generation };
      await db.transaction().execute(async (trx) => {
        await save(trx, id, ready);
        await operations.succeed(trx, id, row.generation);
      });
      return { againMs: d.resyncMs };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempts + 1 >= MAX_ATTEMPTS) {
        await db.transaction().execute(async (trx) => {
          await save(trx, id, { ...status, phase: 'Failed', message: 'the host could not make the network; the operator has the details' });
          await operations.fail(trx, id, { code: 'ENGINE_ERROR', message: 'the host could not make the network' });
        });
        console.error(`kumulus: network ${id} failed: ${message}`);
        return { againMs: 60_000 };
      }
      throw err;
    }
  };
}

/** Removes vSwitches the host has but no network row claims: left over from a delete cut short. */
export function createNetworkSweep({ db, engine, everyMs }: { db: Kysely<Database>; engine: Engine; everyMs: number }): Reconciler {
  return async () => {
    const ids = await engine.network.listNetworks();
    if (ids.length) {
      const known = new Set((await db.selectFrom('networks').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
      for (const id of ids) if (!known.has(id)) await engine.network.removeNetwork(id);
    }
    return { againMs: everyMs };
  };
}
