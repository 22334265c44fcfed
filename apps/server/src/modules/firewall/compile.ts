/**
 * Compiles every firewall, every NIC's anti-spoofing and the zone policy of one host into one
 * nftables ruleset: a bridge-family table (frames as they enter the bridge from a NIC: MAC,
 * ARP, source addresses, no DHCP or router advertisements) and an inet-family table (the
 * tenants' rules, with conntrack, on bridged traffic through br_netfilter). The text is
 * deterministic, so its hash (kept in the tables' `spec_hash` set) tells whether the kernel holds it.
 */
import { createHash } from 'node:crypto';
import type { FirewallPeer, FirewallRule, FirewallTarget } from '@kumulus/api';
import { matchesSelector, parseLabelSelector } from '../../lib/label-selector.ts';
import { antiSpoof, spoofedChain } from './anti-spoof.ts';
import { zoneRules } from './zone-rules.ts';

/** A NIC on this host, with what its rules are derived from. */
export interface HostNic {
  nicId: string;
  serverId: string;
  tenantId: string;
  /** The bridge the NIC is a port of. */
  bridge: string;
  /** The host side of its veth (a bridge port). */
  port: string;
  mac: string;
  /** Its addresses, without prefix length. */
  ipv4: string[];
  ipv6: string[];
  /** Public IPv6 prefixes routed to it (`…/64`): it may send from any address in them. */
  routedIpv6?: string[];
  labels: Record<string, string>;
  /** Network id, or `default`. */
  network: string;
}

/** A firewall as the compiler needs it. */
export interface HostFirewall {
  id: string;
  tenantId: string;
  inbound: FirewallRule[];
  outbound: FirewallRule[];
  appliedTo: FirewallTarget[];
}

/** A network's subnet, for peers that name it. */
export interface HostNetwork {
  id: string;
  /** Owner; null for the shared default network. */
  tenantId: string | null;
  cidr: string;
  bridge: string;
}

/** A zone's networks and the flows they may start towards other zones. */
export interface HostZone {
  id: string;
  networks: string[];
  /** Ranges of the public pools in the zone (as the pools hold them: a CIDR, first-last, or an IPv6 prefix). */
  pools?: string[];
  flows: { to: string; protocol: FirewallRule['protocol']; ports?: string[] }[];
}

/** Everything one host's ruleset is compiled from. */
export interface HostModel {
  nics: HostNic[];
  firewalls: HostFirewall[];
  networks: HostNetwork[];
  zones: HostZone[];
}

/** One chain or set of the compiled ruleset, with its full definition (for applying a delta). */
export interface RulesetObject {
  family: 'inet' | 'bridge';
  kind: 'chain' | 'set';
  name: string;
  /** A base chain (hooked): its coming or going means a full replacement. */
  base: boolean;
  def: string;
}

/** A compiled ruleset: the `nft -f` text, its hash (also written into the tables' `spec_hash` sets) and its objects. */
export interface Ruleset {
  text: string;
  hash: string;
  objects: RulesetObject[];
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const L4: Record<FirewallRule['protocol'], string> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'ipv6-icmp', esp: 'esp', gre: 'gre', any: '' };

/** The firewalls applied to each NIC, in the order firewall then target. */
export function firewallsByNic(m: HostModel): Map<string, HostFirewall[]> {
  const out = new Map<string, HostFirewall[]>();
  const add = (nic: HostNic, fw: HostFirewall) => {
    const list = out.get(nic.nicId) ?? [];
    if (!list.includes(fw)) list.push(fw);
    out.set(nic.nicId, list);
  };
  for (const fw of m.firewalls) {
    const own = m.nics.filter((n) => n.tenantId === fw.tenantId);
    for (const t of fw.appliedTo) {
      if (t.type === 'server') for (const n of own) if (n.serverId === t.server) add(n, fw);
      if (t.type === 'nic') for (const n of own) if (n.serverId === t.server && n.nicId === t.nic) add(n, fw);
      if (t.type === 'label_selector') {
        const sel = parseLabelSelector(t.selector);
        for (const n of own) if (matchesSelector(sel, n.labels)) add(n, fw);
      }
    }
  }
  return out;
}

/** How compiled rules log: the nflog group the host's log reader listens on (none: no logging). */
export interface CompileOptions {
  logGroup?: number;
}

/** The log statement of a rule, rate-limited (a flood must not become a flood of log lines). */
const logStmt = (group: number, prefix: string, rate = '10/second burst 20 packets') => `limit rate ${rate} log prefix "${prefix}" group ${group}`;

/**
 * Compiles the model into the ruleset of the tables named `table` (inet and bridge). Log
 * prefixes say why a packet was logged: `r:<firewall>:<i|o><rule>:<a|d|r>` a rule with `log`,
 * `d:<nic>:<i|o>` a NIC's default drop, `s` anti-spoofing, `z` the zones.
 */
export function compileRuleset(table: string, m: HostModel, opts: CompileOptions = {}): Ruleset {
  const group = opts.logGroup;
  const sets = new Map<string, { v4: Set<string>; v6: Set<string> }>();
  const setFor = (tenantId: string, peer: Exclude<FirewallPeer, { cidr: string }>): string => {
    const key = 'server' in peer ? `server:${peer.server}` : 'network' in peer ? `network:${tenantId}:${peer.network}` : `labels:${tenantId}:${peer.labelSelector}`;
    const name = `r_${short(key)}`;
    if (sets.has(name)) return name;
    const v4 = new Set<string>();
    const v6 = new Set<string>();
    if ('server' in peer) for (const n of m.nics) if (n.serverId === peer.server) addAll(n, v4, v6);
    if ('labelSelector' in peer) {
      const sel = parseLabelSelector(peer.labelSelector);
      for (const n of m.nics) if (n.tenantId === tenantId && matchesSelector(sel, n.labels)) addAll(n, v4, v6);
    }
    if ('network' in peer) for (const net of m.networks) if (net.id === peer.network && (net.tenantId === tenantId || net.tenantId === null)) (net.cidr.includes(':') ? v6 : v4).add(net.cidr);
    sets.set(name, { v4, v6 });
    return name;
  };

  const ruleLines = (fw: HostFirewall, r: FirewallRule, dir: 'in' | 'out', index: number): string[] => {
    const side = dir === 'in' ? 'saddr' : 'daddr';
    const l4 = L4[r.protocol];
    const proto = l4 ? `meta l4proto ${l4}` : '';
    const ports = r.ports ? `${r.protocol} dport { ${r.ports.join(', ')} }` : '';
    const verdict = r.action === 'accept' ? 'accept' : r.action === 'drop' ? 'drop' : r.protocol === 'tcp' ? 'reject with tcp reset' : 'reject';
    const logged = r.log && group !== undefined ? logStmt(group, `r:${fw.id}:${dir[0]}${index}:${r.action[0]}`) : '';
    // A logged rule is two: the log (which goes on to the next rule) and the verdict.
    const match = (peer: string) => [...(logged ? [[proto, ports, peer, logged].filter(Boolean).join(' ')] : []), [proto, ports, peer, verdict].filter(Boolean).join(' ')];
    if (!r.peers) return match('');
    const lines: string[] = [];
    const cidrs = r.peers.flatMap((p) => ('cidr' in p ? [p.cidr] : []));
    const v4 = cidrs.filter((c) => !c.includes(':'));
    const v6 = cidrs.filter((c) => c.includes(':'));
    if (v4.length) lines.push(...match(`ip ${side} { ${v4.join(', ')} }`));
    if (v6.length) lines.push(...match(`ip6 ${side} { ${v6.join(', ')} }`));
    for (const p of r.peers) {
      if ('cidr' in p) continue;
      const name = setFor(fw.tenantId, p);
      lines.push(...match(`ip ${side} @${name}`));
      // An IPv6 set only where the reference has IPv6 addresses: each set costs the kernel transaction time.
      if (sets.get(name)!.v6.size) lines.push(...match(`ip6 ${side} @${name}_6`));
    }
    return lines;
  };

  const byNic = firewallsByNic(m);
  const used = [...new Set([...byNic.values()].flat())].sort((a, b) => (a.id < b.id ? -1 : 1));
  const chains: string[] = [];
  for (const fw of used) {
    chains.push(chain(`fwin_${fw.id}`, fw.inbound.flatMap((r, i) => ruleLines(fw, r, 'in', i))));
    chains.push(chain(`fwout_${fw.id}`, fw.outbound.flatMap((r, i) => ruleLines(fw, r, 'out', i))));
  }
  const inMap4: string[] = [];
  const inMap6: string[] = [];
  const outMap4: string[] = [];
  const outMap6: string[] = [];
  const guarded = m.nics.filter((n) => byNic.has(n.nicId)).sort((a, b) => (a.nicId < b.nicId ? -1 : 1));
  for (const n of guarded) {
    const fws = byNic.get(n.nicId)!;
    // Neighbour discovery is to IPv6 what ARP is to IPv4: never filtered, or the NIC goes deaf.
    // What no rule accepted is dropped, and logged (rate-limited per NIC): the tenant's "last drops".
    const dropped = (dir: 'i' | 'o') => [...(group === undefined ? [] : [logStmt(group, `d:${n.nicId}:${dir}`, '5/second burst 10 packets')]), 'drop'];
    chains.push(chain(`in_${n.nicId}`, ['icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept', ...fws.map((f) => `jump fwin_${f.id}`), ...dropped('i')]));
    // Outbound is open unless a firewall lists what it allows: then only that (as Hetzner does).
    const closed = fws.some((f) => f.outbound.some((r) => r.action === 'accept'));
    chains.push(chain(`out_${n.nicId}`, [...fws.map((f) => `jump fwout_${f.id}`), ...(closed ? ['icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept', ...dropped('o')] : [])]));
    for (const [addrs, into, from] of [[n.ipv4, inMap4, outMap4], [n.ipv6, inMap6, outMap6]] as const) {
      for (const a of addrs) {
        into.push(`"${n.bridge}" . ${a} : jump in_${n.nicId}`);
        from.push(`"${n.bridge}" . ${a} : jump out_${n.nicId}`);
      }
    }
  }
  const vmap = (sel: string, elems: string[]) => (elems.length ? [`${sel} vmap { ${elems.join(', ')} }`] : []);
  const toNic = [...vmap('oifname . ip daddr', inMap4), ...vmap('oifname . ip6 daddr', inMap6)];
  const fromNic = [...vmap('iifname . ip saddr', outMap4), ...vmap('iifname . ip6 saddr', outMap6)];
  const established = 'ct state established,related accept';
  // Accept in one base chain does not skip the next: a packet between two guarded NICs must pass
  // the receiver's inbound chain (priority filter) and the sender's outbound one (filter + 1).
  const zoneLines = zoneRules(m);
  if (zoneLines.length) chains.push(chain('zone_drop', [...(group === undefined ? [] : [logStmt(group, 'z')]), 'drop']));
  const base = [
    ...(zoneLines.length ? [chain('zones', ['type filter hook forward priority filter - 10; policy accept;', established, ...zoneLines])] : []),
    chain('to_nic', ['type filter hook forward priority filter; policy accept;', established, ...toNic]),
    chain('from_nic', ['type filter hook forward priority filter + 1; policy accept;', established, ...fromNic]),
    chain('host_to_nic', ['type filter hook output priority filter; policy accept;', established, ...toNic]),
    chain('nic_to_host', ['type filter hook input priority filter; policy accept;', established, ...fromNic]),
  ];
  const setDefs = [...sets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([name, { v4, v6 }]) => [setDef(name, 'ipv4_addr', v4), ...(v6.size ? [setDef(`${name}_6`, 'ipv6_addr', v6)] : [])]);

  const spoof = [...m.nics].sort((a, b) => (a.nicId < b.nicId ? -1 : 1));
  const bridgeChains = [chain('spoofed', spoofedChain(group)), ...spoof.map((n) => chain(`spoof_${n.nicId}`, antiSpoof(n)))];
  const ports = spoof.map((n) => `"${n.port}" : jump spoof_${n.nicId}`);
  bridgeChains.push(chain('prerouting', ['type filter hook prerouting priority -200; policy accept;', ...vmap('iifname', ports)]));

  const objects: RulesetObject[] = [
    ...objectsOf('inet', 'set', setDefs),
    ...objectsOf('inet', 'chain', chains),
    ...objectsOf('inet', 'chain', base),
    ...objectsOf('bridge', 'chain', bridgeChains),
  ];
  // The hash is kept in a one-element set: listing it is cheap, whatever the size of the rest.
  const body = (family: string, parts: string[]) => `table ${family} ${table} {\n  set spec_hash {\n    type ifname;\n    elements = { "HASH" }\n  }\n${parts.join('')}}\n`;
  const inner = body('inet', [...setDefs, ...chains, ...base]) + body('bridge', bridgeChains);
  const hash = short(inner);
  const text = `table inet ${table}\ndelete table inet ${table}\ntable bridge ${table}\ndelete table bridge ${table}\n${inner.replaceAll('"HASH"', `"${hash}"`)}`;
  return { text, hash, objects };
}

function objectsOf(family: RulesetObject['family'], kind: RulesetObject['kind'], defs: string[]): RulesetObject[] {
  return defs.map((def) => ({ family, kind, name: /^ {2}(?:chain|set) (\S+)/.exec(def)![1]!, base: def.includes(' hook '), def }));
}

/**
 * The transaction that turns the ruleset `prev` (what the kernel holds) into `next` touching
 * only what differs: changed chains are flushed and filled again, changed sets refilled, gone
 * ones deleted. It fails as a whole unless the kernel holds `prev`'s hash. Null when a base
 * chain comes or goes: then the whole tables are replaced.
 */
export function deltaText(table: string, prev: Ruleset, next: Ruleset): string | null {
  const key = (o: RulesetObject) => `${o.family} ${o.kind} ${o.name}`;
  const before = new Map(prev.objects.map((o) => [key(o), o]));
  const after = new Map(next.objects.map((o) => [key(o), o]));
  const lines: string[] = [];
  for (const o of [...prev.objects, ...next.objects]) if (o.base && before.has(key(o)) !== after.has(key(o))) return null;
  // Flushed first, so no rule still jumps to a chain or names a set that goes or changes.
  for (const o of prev.objects) if (o.kind === 'chain' && after.get(key(o))?.def !== o.def) lines.push(`flush chain ${o.family} ${table} ${o.name}`);
  for (const o of prev.objects) if (o.kind === 'set' && after.has(key(o)) && after.get(key(o))!.def !== o.def) lines.push(`flush set ${o.family} ${table} ${o.name}`);
  // New chains declared empty first, so a jump to one resolves whatever the order below.
  for (const o of next.objects) if (o.kind === 'chain' && !o.base && !before.has(key(o))) lines.push(`add chain ${o.family} ${table} ${o.name}`);
  const defs = (family: string) => next.objects.filter((o) => o.family === family && before.get(key(o))?.def !== o.def).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'set' ? -1 : 1));
  for (const family of ['inet', 'bridge']) {
    const changed = defs(family);
    if (changed.length) lines.push(`table ${family} ${table} {\n${changed.map((o) => o.def).join('')}}`);
  }
  for (const o of prev.objects) if (o.kind === 'chain' && !after.has(key(o))) lines.push(`delete chain ${o.family} ${table} ${o.name}`);
  for (const o of prev.objects) if (o.kind === 'set' && !after.has(key(o))) lines.push(`delete set ${o.family} ${table} ${o.name}`);
  for (const family of ['inet', 'bridge']) lines.push(`add element ${family} ${table} spec_hash { "${next.hash}" }`);
  // First, the old hash is deleted: when the kernel does not hold it (the tables were changed or
  // removed behind our back), that fails and with it the whole transaction, which leaves the
  // kernel as it was — so a delta is never applied onto anything but what it was computed from.
  return `${['inet', 'bridge'].map((family) => `delete element ${family} ${table} spec_hash { "${prev.hash}" }`).join('\n')}\n${lines.join('\n')}\n`;
}

function addAll(n: HostNic, v4: Set<string>, v6: Set<string>) {
  for (const a of n.ipv4) v4.add(a);
  for (const a of n.ipv6) v6.add(a);
}

function chain(name: string, lines: string[]): string {
  return `  chain ${name} {\n${lines.map((l) => `    ${l}\n`).join('')}  }\n`;
}

function setDef(name: string, type: string, elems: Set<string>): string {
  const list = [...elems].sort();
  return `  set ${name} {\n    type ${type}; flags interval; auto-merge;\n${list.length ? `    elements = { ${list.join(', ')} }\n` : ''}  }\n`;
}
