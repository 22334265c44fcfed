/**
 * A server's NICs: the addresses a create takes on each network it names (IPAM), and the NIC
 * specs the engine gets for them (link, gateway, the vSwitch's name server).
 */
import type { Nic, NicRequest } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Engine, NicSpec } from '../../drivers/types.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, NetworksTable } from '../../store/schema.ts';
import { slaacAddress } from './cidr6.ts';
import { allocateAddress, allocateChosenAddress, type Ipv4Network, macFor } from './ipam.ts';
import { DEFAULT_NETWORK, findNetwork, ipamNetwork, type NetworkStatus } from './networks.ts';

/** What allocateNics needs from the create. */
export interface NicAllocation {
  tenantId: string;
  serverId: string;
  /** As asked for; one NIC on the default network when absent. */
  requests: NicRequest[] | undefined;
  defaultNetwork: Ipv4Network;
  ids: IdGenerator;
  dialect: 'sqlite' | 'postgres';
  now: number;
  cooldownMs: number;
}

/**
 * Resolves each requested network (a foreign or unknown one is NETWORK_NOT_FOUND), then takes
 * an address on each inside the caller's transaction. Networks are locked in id order, so two
 * creates naming the same networks in another order cannot deadlock on PostgreSQL.
 */
export async function allocateNics(trx: Kysely<Database>, a: NicAllocation): Promise<(Nic & { private: boolean })[]> {
  const requests = a.requests ?? [{ network: DEFAULT_NETWORK }];
  const targets: (NetworksTable | null)[] = [];
  for (const [i, r] of requests.entries()) {
    if (r.network === DEFAULT_NETWORK) {
      targets.push(null);
      continue;
    }
    const row = await findNetwork(trx, a.tenantId, r.network).catch((e) => {
      throw e instanceof DomainError ? new DomainError(e.code, e.params, [{ field: `nics[${i}].network`, message: 'no network of yours has this id or name' }]) : e;
    });
    if (row.deletion_requested_at !== null) throw new DomainError('NETWORK_NOT_FOUND', { id: r.network }, [{ field: `nics[${i}].network`, message: 'this network is being deleted' }]);
    targets.push(row);
  }
  const keys = targets.map((t) => t?.id ?? a.defaultNetwork.name);
  if (new Set(keys).size !== keys.length) {
    throw new DomainError('VALIDATION_FAILED', { summary: 'a network is named twice in nics' }, [{ field: 'nics', message: 'give each network once' }]);
  }
  for (const key of [...keys].sort()) await lockFor(trx, a.dialect, `network:${key}`);
  // Read again under the lock: a delete that committed between the first read and the lock
  // (PostgreSQL runs them side by side) must not get a NIC on its network after it counted none.
  for (const [i, row] of targets.entries()) {
    if (!row) continue;
    const now = await trx.selectFrom('networks').select('deletion_requested_at').where('id', '=', row.id).executeTakeFirst();
    if (!now || now.deletion_requested_at !== null) throw new DomainError('NETWORK_NOT_FOUND', { id: requests[i]!.network }, [{ field: `nics[${i}].network`, message: 'this network is being deleted' }]);
  }
  const nics: (Nic & { private: boolean })[] = [];
  for (const [i, r] of requests.entries()) {
    const row = targets[i] ?? null;
    const net = row ? ipamNetwork(row) : a.defaultNetwork;
    const nicId = a.ids('nic');
    const ipv4 = r.ipv4
      ? await allocateChosenAddress(trx, net, r.ipv4, a.serverId, nicId, `nics[${i}].ipv4`)
      : await allocateAddress(trx, net, a.serverId, nicId, { now: a.now, cooldownMs: a.cooldownMs });
    const mac = macFor(net.name, ipv4);
    // A network with a /64 gives the NIC the address SLAAC derives from its MAC, so the guest's
    // own SLAAC and what IPAM says agree, and nothing per address needs storing.
    const ipv6 = row?.ipv6_cidr ? { ipv6: slaacAddress(row.ipv6_cidr, mac) } : {};
    nics.push({ id: nicId, network: net.name, mac, ipv4, ...ipv6, private: row !== null });
  }
  return nics;
}

/** The engine's view of a server's NICs, with the name servers and search domains of its vSwitches. */
export async function nicSpecsFor(
  db: Kysely<Database>,
  engine: Engine,
  nics: Nic[],
  defaultNetwork: Ipv4Network & { link: string },
): Promise<{ nics: NicSpec[]; dns: { nameservers: string[]; search: string[] } }> {
  const ids = nics.map((n) => n.network).filter((n) => n !== defaultNetwork.name);
  const rows = ids.length ? await db.selectFrom('networks').selectAll().where('id', 'in', ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const dns = { nameservers: [] as string[], search: [] as string[] };
  // The default route stays on the NATed default network when the server has a NIC there: the
  // local engine's vSwitch service address announces itself as gateway but routes nowhere yet.
  const onDefault = nics.some((n) => n.network === defaultNetwork.name);
  const specs = nics.map((n): NicSpec => {
    const rate = { ...(n.ingressMbit ? { ingressMbit: n.ingressMbit } : {}), ...(n.egressMbit ? { egressMbit: n.egressMbit } : {}) };
    if (n.network === defaultNetwork.name) return { id: n.id, link: defaultNetwork.link, mac: n.mac, ipv4: n.ipv4, gateway: defaultNetwork.gateway, ...rate };
    const row = byId.get(n.network);
    // The bridge must be there before LXC plugs a NIC into it; the pass is retried until it is.
    if (!row || (JSON.parse(row.status) as NetworkStatus).phase !== 'Ready') throw new Error(`network ${n.network} is not ready yet`);
    dns.nameservers.push(row.dns_server);
    dns.search.push(row.dns_domain);
    return { id: n.id, link: engine.network.linkOf(row.id), mac: n.mac, ipv4: n.ipv4, ...(n.ipv6 ? { ipv6: n.ipv6 } : {}), ...(row.gateway && !onDefault ? { gateway: row.gateway } : {}), ...rate };
  });
  return { nics: specs, dns };
}
