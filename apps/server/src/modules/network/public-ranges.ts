/**
 * Public address ranges of IP pools: IPv4 ranges (a CIDR or first-last) and IPv6 prefixes cut
 * into /64s, parsed into an ordinal space (address n of the pool) so IPAM never materialises
 * the addresses of a prefix; private, loopback, link-local and multicast ranges are refused.
 */
import { isIPv6 } from 'node:net';
import type { IpFamily } from '@kumulus/api';
import { DomainError, type Localized } from '../../lib/errors.ts';
import { intToIpv4, ipv4ToInt } from './cidr.ts';

/** A parsed pool range: its family, first address (as a number) and how many addresses (or /64s) it has. */
export interface PoolRange {
  family: IpFamily;
  /** IPv4: the first address; IPv6: the prefix's first address. */
  first: bigint;
  /** Addresses (IPv4) or /64 prefixes (IPv6). */
  size: number;
  /** The range in canonical form. */
  text: string;
}

/** Largest pool: 65,536 addresses or /64s, so a pool's allocations stay small enough to scan. */
const MAX_SIZE = 65_536;

const invalid = (summary: Localized, message: Localized, field = 'range') => new DomainError('VALIDATION_FAILED', { summary }, [{ field, message }]);

const NOT_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3],
];

/** Parses an IPv6 address into a number; null when it is not one. */
export function ipv6ToBigInt(text: string): bigint | null {
  if (!isIPv6(text) || text.includes('.') || text.includes('%')) return null;
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** The canonical (compressed) text of an IPv6 address number. */
export function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The URL parser writes IPv6 hosts in RFC 5952 form (longest zero run compressed).
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

function parseV4(text: string): PoolRange {
  let first: number | null;
  let last: number | null;
  if (text.includes('/')) {
    const [addr = '', len = '', ...rest] = text.split('/');
    const ip = ipv4ToInt(addr);
    const prefix = /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
    if (ip === null || rest.length || !(prefix >= 0 && prefix <= 32)) throw invalid({ en: `${text} is not an IPv4 range`, de: `${text} ist kein IPv4-Bereich` }, { en: 'write a.b.c.d/len or a.b.c.d-a.b.c.e', de: 'schreiben Sie a.b.c.d/len oder a.b.c.d-a.b.c.e' });
    const size = 2 ** (32 - prefix);
    if (ip % size !== 0) throw invalid({ en: `${text} has host bits set`, de: `${text} hat gesetzte Host-Bits` }, { en: `the network address is ${intToIpv4(Math.floor(ip / size) * size)}/${prefix}`, de: `die Netzadresse ist ${intToIpv4(Math.floor(ip / size) * size)}/${prefix}` });
    first = ip;
    last = ip + size - 1;
  } else {
    const [a = '', b = '', ...rest] = text.split('-');
    first = ipv4ToInt(a.trim());
    last = ipv4ToInt(b.trim());
    if (first === null || last === null || rest.length) throw invalid({ en: `${text} is not an IPv4 range`, de: `${text} ist kein IPv4-Bereich` }, { en: 'write a.b.c.d/len or a.b.c.d-a.b.c.e', de: 'schreiben Sie a.b.c.d/len oder a.b.c.d-a.b.c.e' });
    if (last < first) throw invalid({ en: `${text} ends before it begins`, de: `${text} endet, bevor er beginnt` }, { en: 'put the lower address first', de: 'nennen Sie die kleinere Adresse zuerst' });
  }
  const size = last - first + 1;
  if (size > MAX_SIZE) throw invalid({ en: `${text} has ${size} addresses`, de: `${text} hat ${size} Adressen` }, { en: `a pool holds at most ${MAX_SIZE} addresses; split it into several pools`, de: `ein Pool fasst höchstens ${MAX_SIZE} Adressen; teilen Sie ihn auf mehrere Pools auf` });
  for (const [base, len] of NOT_PUBLIC_V4) {
    const b = ipv4ToInt(base)!;
    const s = 2 ** (32 - len);
    if (first < b + s && b < last + 1) throw invalid({ en: `${text} is not a public range`, de: `${text} ist kein öffentlicher Bereich` }, { en: `it overlaps ${base}/${len}, which is private, shared, loopback, link-local or multicast`, de: `er überschneidet sich mit ${base}/${len}, einem privaten, geteilten, Loopback-, Link-Local- oder Multicast-Bereich` });
  }
  const canonical = text.includes('/') ? text : `${intToIpv4(first)}-${intToIpv4(last)}`;
  return { family: 'ipv4', first: BigInt(first), size, text: canonical };
}

function parseV6(text: string): PoolRange {
  const [addr = '', len = '', ...rest] = text.split('/');
  const ip = ipv6ToBigInt(addr);
  const prefix = /^\d{1,3}$/.test(len) ? Number(len) : Number.NaN;
  if (ip === null || rest.length || !(prefix >= 0 && prefix <= 128)) throw invalid({ en: `${text} is not an IPv6 prefix`, de: `${text} ist kein IPv6-Präfix` }, { en: 'write it as prefix/len, e.g. 2001:db8:100::/56', de: 'schreiben Sie es als Präfix/Länge, z. B. 2001:db8:100::/56' });
  if (prefix > 64 || prefix < 48) throw invalid({ en: `/${prefix} is outside /48 … /64`, de: `/${prefix} liegt außerhalb von /48 … /64` }, { en: 'each address of an IPv6 pool is a /64: give a prefix from /48 to /64', de: 'jede Adresse eines IPv6-Pools ist ein /64: geben Sie ein Präfix von /48 bis /64 an' });
  const hostBits = BigInt(128 - prefix);
  if (ip & ((1n << hostBits) - 1n)) throw invalid({ en: `${text} has host bits set`, de: `${text} hat gesetzte Host-Bits` }, { en: `the prefix is ${bigIntToIpv6((ip >> hostBits) << hostBits)}/${prefix}`, de: `das Präfix ist ${bigIntToIpv6((ip >> hostBits) << hostBits)}/${prefix}` });
  // Global unicast is 2000::/3; ULA (fc00::/7), link-local and multicast lie outside it.
  if (ip >> 125n !== 1n) throw invalid({ en: `${text} is not a public prefix`, de: `${text} ist kein öffentliches Präfix` }, { en: 'use a global unicast prefix (2000::/3); ULA, link-local and multicast are not public', de: 'verwenden Sie ein globales Unicast-Präfix (2000::/3); ULA, Link-Local und Multicast sind nicht öffentlich' });
  return { family: 'ipv6', first: ip, size: 2 ** (64 - prefix), text: `${bigIntToIpv6(ip)}/${prefix}` };
}

/** Parses a pool's range; the family follows from the text. */
export function parsePoolRange(text: string): PoolRange {
  return text.includes(':') ? parseV6(text.trim()) : parseV4(text.trim());
}

/** True when two ranges share an address. */
export function rangesOverlap(a: PoolRange, b: PoolRange): boolean {
  if (a.family !== b.family) return false;
  const unit = a.family === 'ipv4' ? 1n : 1n << 64n;
  return a.first < b.first + BigInt(b.size) * unit && b.first < a.first + BigInt(a.size) * unit;
}

/** The address (IPv4) or the /64 prefix (IPv6) with the given ordinal in the range. */
export function addressAt(r: PoolRange, ordinal: number): string {
  if (r.family === 'ipv4') return intToIpv4(Number(r.first) + ordinal);
  return `${bigIntToIpv6(r.first + (BigInt(ordinal) << 64n))}/64`;
}

/** The ordinal of an address (IPv4) or /64 (IPv6, any address inside it) in the range; null when outside. */
export function ordinalOf(r: PoolRange, address: string): number | null {
  if (r.family === 'ipv4') {
    const n = ipv4ToInt(address);
    if (n === null) return null;
    const o = n - Number(r.first);
    return o >= 0 && o < r.size ? o : null;
  }
  const n = ipv6ToBigInt(address.split('/')[0] ?? '');
  if (n === null) return null;
  const o = (n - r.first) >> 64n;
  return n >= r.first && o < BigInt(r.size) ? Number(o) : null;
}
