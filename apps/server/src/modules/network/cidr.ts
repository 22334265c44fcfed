/**
 * IPv4 subnet checks for tenant networks: a private (RFC 1918) network address of a sensible
 * size, overlap between two subnets, and whether an address is a usable host of a subnet.
 */
import { DomainError } from '../../lib/errors.ts';

/** An IPv4 address as a number; null when the text is not one. */
export function ipv4ToInt(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || m.slice(1).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return null;
  return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0);
}

/** The dotted form of an IPv4 address number. */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** A subnet as first address and size. */
export interface Subnet {
  base: number;
  prefix: number;
  size: number;
}

const PRIVATE: Subnet[] = [
  { base: 10 * 2 ** 24, prefix: 8, size: 2 ** 24 },
  { base: (172 * 256 + 16) * 2 ** 16, prefix: 12, size: 2 ** 20 },
  { base: (192 * 256 + 168) * 2 ** 16, prefix: 16, size: 2 ** 16 },
];

const invalid = (field: string, summary: string, message: string) => new DomainError('VALIDATION_FAILED', { summary }, [{ field, message }]);

/**
 * Parses a tenant network's CIDR; refuses what is not one, host bits set, sizes outside
 * /16 … /29 (a /29 leaves five addresses: the service address and four NICs), and public ranges.
 */
export function parsePrivateCidr(cidr: string, field = 'ipv4Cidr'): Subnet {
  const [addr = '', len = '', ...rest] = cidr.split('/');
  const ip = ipv4ToInt(addr);
  const prefix = /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (ip === null || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) throw invalid(field, `${cidr} is not an IPv4 network`, 'write it as a.b.c.d/len, e.g. 10.20.0.0/24');
  if (prefix < 16 || prefix > 29) throw invalid(field, `/${prefix} is outside /16 … /29`, 'choose a prefix length from /16 (65,534 addresses) to /29 (6)');
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ip / size) * size;
  if (base !== ip) throw invalid(field, `${cidr} has host bits set`, `the network address is ${intToIpv4(base)}/${prefix}`);
  if (!PRIVATE.some((p) => base >= p.base && base + size <= p.base + p.size)) {
    throw invalid(field, `${cidr} is not a private range`, 'use a range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918)');
  }
  return { base, prefix, size };
}

/** True when two subnets share an address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The address as a number when it is a host of the subnet (not its network or broadcast address); else null. */
export function hostOf(subnet: Subnet, address: string): number | null {
  const n = ipv4ToInt(address);
  if (n === null || n <= subnet.base || n >= subnet.base + subnet.size - 1) return null;
  return n;
}
