/**
 * Anti-spoofing of one NIC, compiled into its chain of the bridge table: what the NIC may send
 * into its bridge is its own MAC and addresses — in Ethernet, ARP, IPv4, IPv6 and neighbour
 * discovery — and no DHCP or router advertisement service. Every drop goes to `spoofed`, the
 * chain that logs (rate-limited) and drops, so a tenant sees what his server tried.
 */
import type { HostNic } from './compile.ts';
import { ipv6ToBigInt } from './rule-check.ts';

/** The bridge chain every anti-spoofing drop goes to: logs (when a log group is set) and drops. */
export function spoofedChain(logGroup: number | undefined): string[] {
  return [...(logGroup === undefined ? [] : [`limit rate 10/second burst 20 packets log prefix "s" group ${logGroup}`]), 'drop'];
}

/** The rules of a NIC's `spoof_…` chain. */
export function antiSpoof(n: HostNic): string[] {
  const drop = 'goto spoofed';
  const ownV6 = ['::', 'fe80::/64', ...n.ipv6, ...(n.routedIpv6 ?? [])];
  return [
    `ether saddr != ${n.mac} ${drop}`,
    `ether type arp arp saddr ether != ${n.mac} ${drop}`,
    // 0.0.0.0 and :: are what DHCP and duplicate address detection send before an address is held.
    `ether type arp arp saddr ip != { ${[...n.ipv4, '0.0.0.0'].join(', ')} } ${drop}`,
    `ether type ip ip saddr != { ${[...n.ipv4, '0.0.0.0'].join(', ')} } ${drop}`,
    `ether type ip udp sport 67 ${drop}`,
    `ether type ip6 ip6 saddr != { ${ownV6.join(', ')} } ${drop}`,
    // Neighbour discovery is IPv6's ARP: an advertisement may only claim the NIC's own addresses
    // (its link-local one is derived from its MAC), and the link-layer address a solicitation or
    // advertisement carries (option 1 or 2, length 1, first after the target) must be its MAC.
    // nft 1.0.6 has no `icmpv6 taddr`: the target is bits 64-191 of the ICMPv6 header.
    `ether type ip6 icmpv6 type nd-neighbor-advert @th,64,128 != { ${ndTargets(n).join(', ')} } ${drop}`,
    `ether type ip6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } @th,192,16 { 0x0101, 0x0201 } @th,208,48 != 0x${n.mac.replaceAll(':', '')} ${drop}`,
    `ether type ip6 icmpv6 type nd-router-advert ${drop}`,
    `ether type ip6 udp sport 547 ${drop}`,
    // VLAN tags and other protocols would carry frames past every check above.
    `ether type != { ip, arp, ip6 } ${drop}`,
  ];
}

/** The link-local address the kernel derives from a MAC (EUI-64). */
export function linkLocalOf(mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  const hex = (i: number, j: number) => ((b[i]! << 8) | b[j]!).toString(16);
  b[0] = b[0]! ^ 0x02;
  return `fe80::${hex(0, 1)}:${(b[2]! << 8 | 0xff).toString(16)}:${(0xfe00 | b[3]!).toString(16)}:${hex(4, 5)}`;
}

/** The NIC's own IPv6 addresses and routed prefixes as 128-bit numbers (and ranges), for the ND target check. */
function ndTargets(n: HostNic): string[] {
  const hex = (v: bigint) => `0x${v.toString(16).padStart(32, '0')}`;
  const out = [linkLocalOf(n.mac), ...n.ipv6].map((a) => hex(ipv6ToBigInt(a)));
  for (const p of n.routedIpv6 ?? []) {
    const [addr = '', len = '128'] = p.split('/');
    const first = ipv6ToBigInt(addr);
    out.push(`${hex(first)}-${hex(first | ((1n << BigInt(128 - Number(len))) - 1n))}`);
  }
  return [...new Set(out)].sort();
}
