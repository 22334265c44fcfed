/**
 * Zones: traffic from one zone into another is dropped unless the source zone's flows allow it
 * (new connections only; replies pass as established). A packet's zone is that of the public
 * pool its address is in, else that of the network (bridge) it comes from or goes to — so a
 * public address of a pool in the `dmz` zone is in the DMZ whichever network its server is on.
 */
import type { FirewallRule } from '@kumulus/api';
import type { HostModel, HostZone } from './compile.ts';

const L4: Record<FirewallRule['protocol'], string> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp', esp: 'esp', gre: 'gre', any: '' };
const FAMILIES = [
  ['ip', 'ipv4'],
  ['ip6', 'ipv6'],
] as const;

/** One way of being in a zone: a match, and the IP family it implies (null: either). */
interface Side {
  match: string;
  family: 'ip' | 'ip6' | null;
}

/** The zone chain's rules; their drops go to `zone_drop` (which logs and drops). */
export function zoneRules(m: HostModel): string[] {
  const bridgeOf = new Map(m.networks.map((n) => [n.id, n.bridge]));
  const bridges = (z: HostZone) => z.networks.map((id) => bridgeOf.get(id)).filter((b): b is string => Boolean(b)).sort();
  const poolsOf = (z: HostZone, f: 'ip' | 'ip6') => (z.pools ?? []).filter((r) => (f === 'ip6') === r.includes(':')).sort();
  const allPools = { ip: m.zones.flatMap((z) => poolsOf(z, 'ip')), ip6: m.zones.flatMap((z) => poolsOf(z, 'ip6')) };
  const anyPools = allPools.ip.length + allPools.ip6.length > 0;
  const sides = (z: HostZone, dir: 'saddr' | 'daddr'): Side[] => {
    const out: Side[] = [];
    const b = bridges(z);
    const ifname = `${dir === 'saddr' ? 'iifname' : 'oifname'} { ${b.map((x) => `"${x}"`).join(', ')} }`;
    // Without pools a bridge alone says the zone; with them, an address in a pool says it first.
    if (b.length && !anyPools) out.push({ match: ifname, family: null });
    if (b.length && anyPools) for (const [f, proto] of FAMILIES) out.push({ match: allPools[f].length ? `${ifname} ${f} ${dir} != { ${allPools[f].join(', ')} }` : `${ifname} meta nfproto ${proto}`, family: f });
    for (const [f] of FAMILIES) if (poolsOf(z, f).length) out.push({ match: `${f} ${dir} { ${poolsOf(z, f).join(', ')} }`, family: f });
    return out;
  };
  const lines: string[] = [];
  for (const from of m.zones) {
    for (const to of m.zones) {
      if (to.id === from.id) continue;
      const flows = from.flows.filter((x) => x.to === to.id);
      for (const src of sides(from, 'saddr')) {
        for (const dst of sides(to, 'daddr')) {
          if (src.family && dst.family && src.family !== dst.family) continue;
          const pair = `${src.match} ${dst.match}`;
          for (const f of flows) {
            const l4 = L4[f.protocol];
            lines.push([pair, l4 ? `meta l4proto ${l4}` : '', f.ports ? `${f.protocol} dport { ${f.ports.join(', ')} }` : '', 'accept'].filter(Boolean).join(' '));
          }
          lines.push(`${pair} goto zone_drop`);
        }
      }
    }
  }
  return lines;
}
