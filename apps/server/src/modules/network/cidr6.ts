/**
 * IPv6 on tenant networks: the /64 a vSwitch announces for SLAAC, and the address each NIC
 * gets in it. The address is the one SLAAC itself derives from the NIC's MAC (modified
 * EUI-64, RFC 4291), so IPAM never materialises the addresses of a prefix: the MAC, unique on
 * the network because it follows the NIC's IPv4 address, makes the IPv6 address unique too.
 */
import { DomainError, type Localized } from '../../lib/errors.ts';
import { bigIntToIpv6, ipv6ToBigInt } from './public-ranges.ts';

/** A parsed /64: its first address as a number and its canonical text. */
export interface Prefix64 {
  base: bigint;
  text: string;
}

const invalid = (field: string, summary: Localized, message: Localized) => new DomainError('VALIDATION_FAILED', { summary }, [{ field, message }]);

/** True when the /64 lies inside `net/len`. */
const inside = (base: bigint, net: string, len: number) => base >> BigInt(128 - len) === ipv6ToBigInt(net)! >> BigInt(128 - len);

/**
 * Parses a network's IPv6 prefix: it must be a /64 (SLAAC needs 64 interface bits), without
 * host bits, and either a unique local prefix (fd00::/8) or global unicast (2000::/3) that the
 * operator routes here; link-local, multicast, documentation-free checks stay with the operator.
 */
export function parsePrefix64(cidr: string, field = 'ipv6Cidr'): Prefix64 {
  const [addr = '', len = '', ...rest] = cidr.split('/');
  const ip = ipv6ToBigInt(addr);
  if (ip === null || rest.length > 0 || !/^\d{1,3}$/.test(len)) {
    throw invalid(field, { en: `${cidr} is not an IPv6 network`, de: `${cidr} ist kein IPv6-Netz` }, { en: 'write it as prefix/64, e.g. fd12:3456:789a:1::/64', de: 'schreiben Sie es als Präfix/64, z. B. fd12:3456:789a:1::/64' });
  }
  if (Number(len) !== 64) {
    throw invalid(field, { en: `/${len} is not a /64`, de: `/${len} ist kein /64` }, { en: 'SLAAC needs a /64: give the prefix with length 64', de: 'SLAAC braucht ein /64: geben Sie das Präfix mit der Länge 64 an' });
  }
  const base = (ip >> 64n) << 64n;
  if (base !== ip) {
    throw invalid(field, { en: `${cidr} has host bits set`, de: `${cidr} hat gesetzte Host-Bits` }, { en: `the network is ${bigIntToIpv6(base)}/64`, de: `das Netz ist ${bigIntToIpv6(base)}/64` });
  }
  if (!inside(base, 'fd00::', 8) && !inside(base, '2000::', 3)) {
    throw invalid(field, { en: `${cidr} is neither a unique local nor a global prefix`, de: `${cidr} ist weder ein lokales (ULA) noch ein globales Präfix` }, { en: 'use a ULA inside fd00::/8 or a routed prefix inside 2000::/3', de: 'verwenden Sie ein ULA aus fd00::/8 oder ein geroutetes Präfix aus 2000::/3' });
  }
  return { base, text: `${bigIntToIpv6(base)}/64` };
}

/** The modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A), as SLAAC forms it. */
export function eui64(mac: string): bigint {
  const b = mac.split(':').map((h) => Number.parseInt(h, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`not a MAC: ${mac}`);
  const bytes = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  return bytes.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
}

/** The address with /64 a NIC of this MAC holds in the prefix: the one SLAAC makes too. */
export function slaacAddress(prefix: string, mac: string): string {
  return `${bigIntToIpv6(parsePrefix64(prefix).base | eui64(mac))}/64`;
}

/** The network's own address in its prefix (`…::1`): the service namespace's, where RA and DHCPv6 come from. */
export function serviceAddress6(prefix: string): string {
  return bigIntToIpv6(parsePrefix64(prefix).base | 1n);
}
