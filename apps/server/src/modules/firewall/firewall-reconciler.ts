/**
 * The host's firewall reconciler: reads every server's NICs and labels, every firewall, network
 * and zone, compiles them into one ruleset and applies it when the kernel holds another. Any
 * change that could alter the ruleset enqueues it; its resync also repairs tables removed
 * behind our back, and after a crash the first pass puts back exactly what the spec says.
 */
import type { Kysely } from 'kysely';
import type { FirewallDriver } from '../../drivers/types.ts';
import type { Database } from '../../store/schema.ts';
import { compileRuleset, deltaText, type HostModel, type HostNic, type Ruleset } from './compile.ts';
import type { StoredRules } from './firewalls.ts';

interface Deps {
  db: Kysely<Database>;
  firewall: FirewallDriver;
  /** The bridge of a vSwitch, by network id. */
  linkOf: (networkId: string) => string;
  defaultNetwork: { cidr: string; link: string };
  resyncMs: number;
}

/** Reads what the host's ruleset is compiled from. */
export async function loadHostModel(d: Omit<Deps, 'resyncMs'>): Promise<HostModel> {
  const [servers, firewalls, networks, zones, publicIps, pools] = await Promise.all([
    d.db.selectFrom('servers').select(['id', 'tenant_id', 'spec', 'labels']).orderBy('id').execute(),
    d.db.selectFrom('firewalls').selectAll().orderBy('id').execute(),
    d.db.selectFrom('networks').select(['id', 'tenant_id', 'ipv4_cidr']).orderBy('id').execute(),
    d.db.selectFrom('zones').selectAll().orderBy('id').execute(),
    d.db.selectFrom('public_ips').select(['server_id', 'address', 'family']).where('server_id', 'is not', null).orderBy('address').execute(),
    d.db.selectFrom('ip_pools').select(['id', 'range']).execute(),
  ]);
  const rangeOf = new Map(pools.map((p) => [p.id, p.range]));
  // An assigned public IPv4 address sits on the server's NIC on the default network: it is that NIC's own
  // source too, which anti-spoofing must let out, and what rules by server reference must match.
  const publicOf = new Map<string, string[]>();
  const publicV6Of = new Map<string, string[]>();
  for (const ip of publicIps) {
    const into = ip.family === 'ipv4' ? publicOf : publicV6Of;
    into.set(ip.server_id!, [...(into.get(ip.server_id!) ?? []), ip.address]);
  }
  const nics: HostNic[] = servers.flatMap((s) => {
    const labels = JSON.parse(s.labels) as Record<string, string>;
    const spec = JSON.parse(s.spec) as { nics: { id: string; network: string; mac: string; ipv4: string; ipv6?: string | string[] }[] };
    return spec.nics.map((n) => ({
      nicId: n.id,
      serverId: s.id,
      tenantId: s.tenant_id,
      bridge: n.network === 'default' ? d.defaultNetwork.link : d.linkOf(n.network),
      port: d.firewall.portOf(n.id),
      mac: n.mac,
      ipv4: [n.ipv4.split('/')[0]!, ...(n.network === 'default' ? (publicOf.get(s.id) ?? []) : [])],
      routedIpv6: n.network === 'default' ? (publicV6Of.get(s.id) ?? []) : [],
      // NICs with IPv6 (where the network gives them one) carry one address or a list.
      ipv6: (n.ipv6 === undefined ? [] : Array.isArray(n.ipv6) ? n.ipv6 : [n.ipv6]).map((a) => a.split('/')[0]!),
      labels,
      network: n.network,
    }));
  });
  return {
    nics,
    firewalls: firewalls.map((f) => {
      const rules: StoredRules = JSON.parse(f.rules);
      return { id: f.id, tenantId: f.tenant_id, inbound: rules.inbound, outbound: rules.outbound, appliedTo: JSON.parse(f.applied_to) };
    }),
    networks: [
      { id: 'default', tenantId: null, cidr: d.defaultNetwork.cidr, bridge: d.defaultNetwork.link },
      ...networks.map((n) => ({ id: n.id, tenantId: n.tenant_id, cidr: n.ipv4_cidr, bridge: d.linkOf(n.id) })),
    ],
    zones: zones.map((z) => ({ id: z.id, networks: JSON.parse(z.networks), pools: (JSON.parse(z.pools) as string[]).flatMap((id) => rangeOf.get(id) ?? []), flows: JSON.parse(z.flows) })),
  };
}

/** The ruleset the store's spec compiles to for this host. */
export async function compileFromStore(d: Omit<Deps, 'resyncMs'>): Promise<Ruleset> {
  return compileRuleset(d.firewall.table, await loadHostModel(d), { ...(d.firewall.logGroup === undefined ? {} : { logGroup: d.firewall.logGroup }) });
}

/** Creates the reconciler of kind `firewall` (one item, `host`). */
export function createFirewallReconciler(d: Deps) {
  // The first pass of a process replaces the tables whatever their hash says: a chain or set
  // added behind our back (or left by a crashed predecessor) leaves the hash as it was.
  let last: Ruleset | null = null;
  return async (): Promise<{ againMs: number }> => {
    const rs = await compileFromStore(d);
    const prev = last;
    last = null;
    // A change goes to the kernel as the difference from what this process applied last; the
    // delta checks itself that the kernel still holds that (see deltaText), so no read comes first.
    const delta = prev && prev.hash !== rs.hash ? deltaText(d.firewall.table, prev, rs) : null;
    const applied = delta !== null && (await d.firewall.apply(delta).then(() => true, () => false));
    if (!applied && (!prev || (await d.firewall.appliedHash()) !== rs.hash)) await d.firewall.apply(rs.text);
    last = rs;
    return { againMs: d.resyncMs };
  };
}
