/**
 * Puts the network domain together for serve.ts: vSwitches, NICs, public IP pools and addresses,
 * traffic, with their reconcilers and routes, over the engine's network facets.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import type { LifecycleChange } from '../billing/meter-kinds.ts';
import type { Quotas } from '../billing/quotas.ts';
import type { Operations } from '../operations/service.ts';
import { createIpPools } from './ip-pools.ts';
import { createNetworkReconciler, createNetworkSweep } from './network-reconciler.ts';
import { createNetworks } from './networks.ts';
import { nicRoutes } from './nic-routes.ts';
import { createPublicIpReconciler, PUBLIC_IP_KIND } from './public-ip-reconciler.ts';
import { publicIpRoutes } from './public-ip-routes.ts';
import { createPublicIps, unassignServer } from './public-ips.ts';
import { networkRoutes } from './routes.ts';
import { createServerNics } from './server-nics.ts';
import { createTrafficCollector } from './traffic.ts';
import { createPlanTraffic } from './traffic-policy.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  engine: Engine;
  quotas: Quotas;
  /** The default network every server is on, and its link on this host. */
  defaultNetwork: { name: string; cidr: string; gateway: string; link: string };
  /** How long a released address rests before it is handed out again. */
  addressCooldownMs: number;
  /** How often the kernel's NIC counters are read, and the host's public routes looked at. */
  trafficEveryMs: number;
  publicIpResyncMs: number;
  /** Wakes the firewall: addresses moved (a NIC's own source, what references to a server match). */
  firewallChanged: (trx: Kysely<Database>) => Promise<void>;
  onLifecycle: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
  notify: () => void;
}

/** The network domain, wired. */
export function wireNetwork(d: Deps) {
  const { db, clock, ids, audit, operations, queue, dialect, engine } = d;
  const net = d.defaultNetwork;
  const notify = d.notify;
  const networks = createNetworks({ db, clock, ids, audit, operations, queue, dialect, notify });
  const serverNics = createServerNics({ db, clock, ids, audit, operations, queue, dialect, defaultNetwork: net, addressCooldownMs: d.addressCooldownMs, notify });
  // A change that moves public routes wakes the host's public-IP pass, in the change's transaction.
  const publicIpsChanged = async (trx: Kysely<Database>) => {
    await queue.enqueue(trx, PUBLIC_IP_KIND, 'host');
    await d.firewallChanged(trx);
    queueMicrotask(notify);
  };
  const ipPools = createIpPools({ db, clock, ids, audit, dialect, modes: engine.publicIps?.modes ?? [], changed: publicIpsChanged });
  const publicIps = createPublicIps({
    db,
    clock,
    ids,
    audit,
    dialect,
    changed: publicIpsChanged,
    assertQuota: (trx, tenantId) => d.quotas.assertWithin(trx, tenantId, { publicIps: 1 }, { publicIps: 'name' }),
    onLifecycle: d.onLifecycle,
  });

  return {
    networks,
    serverNics,
    /** What a server's committed phase change means for its addresses, in its transaction. */
    async serverPhaseChanged(trx: Kysely<Database>, serverId: string, phase: string): Promise<void> {
      if (phase !== 'Deleted' && phase !== 'Running') return;
      // A deleted server's public IPs stay the tenant's, unassigned; a started one gets its addresses at once.
      // The host's routes change only for a server that holds public IPs: most hold none.
      const moved = phase === 'Deleted' ? (await unassignServer(trx, serverId, clock())) > 0 : !!(await trx.selectFrom('public_ips').select('id').where('server_id', '=', serverId).executeTakeFirst());
      if (moved) await publicIpsChanged(trx);
      // Its NICs' anti-spoofing follows it (a started server's new veth; a deleted one's chains go).
      else await d.firewallChanged(trx);
    },
    reconcilers: {
      // A network is rarely changed and cheap to check: its own resync stays (bridge, dnsmasq).
      network: createNetworkReconciler({ db, clock, engine, operations, resyncMs: 15_000 }),
      'network-sweep': createNetworkSweep({ db, engine, everyMs: 60_000 }),
      traffic: createTrafficCollector({ db, engine, clock, defaultNetwork: net.name, everyMs: d.trafficEveryMs, wake: (trx, id) => queue.enqueue(trx, 'server', id) }),
      [PUBLIC_IP_KIND]: createPublicIpReconciler({ db, engine, resyncMs: d.publicIpResyncMs }),
    } satisfies Record<string, Reconciler>,
    routes: [...networkRoutes(networks), ...nicRoutes(serverNics, createPlanTraffic(db)), ...publicIpRoutes(ipPools, publicIps)] satisfies RouteDef[],
    /** After a start: every network is looked at again, and the periodic passes are queued. */
    async adopt() {
      for (const { id } of await db.selectFrom('networks').select('id').execute()) await queue.enqueue(db, 'network', id);
      await queue.enqueue(db, 'network-sweep', 'sweep');
      await queue.enqueue(db, 'traffic', 'collect', d.trafficEveryMs);
      await queue.enqueue(db, PUBLIC_IP_KIND, 'host');
    },
  };
}
