/**
 * Where webhook deliveries may go. A webhook URL is chosen by a tenant but fetched by the control
 * plane, from inside the operator's network: without a guard a tenant could make it POST to
 * loopback services, the host's metadata or LAN (server-side request forgery). So loopback,
 * private, link-local and other special ranges are refused unless the operator allows them.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Localized } from '../../lib/errors.ts';

const special = new BlockList();
for (const [net, len] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) special.addSubnet(net, len, 'ipv4');
for (const [net, len] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) special.addSubnet(net, len, 'ipv6');

/** Whether an address is loopback, private, link-local, multicast or otherwise not the public internet. */
export function isSpecialAddress(ip: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address: judge that one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return isSpecialAddress(mapped[1]);
  const family = isIP(ip);
  if (family === 0) return false;
  return special.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The reason a URL may not receive deliveries (checked at registration), or null. */
export function refusedUrl(url: string, allowPrivate: boolean): Localized | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { en: 'it is not a URL', de: 'das ist keine URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { en: 'only http and https URLs are allowed', de: 'nur http- und https-URLs sind erlaubt' };
  if (u.username || u.password) return { en: 'the URL carries credentials', de: 'die URL enthält Zugangsdaten' };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || isSpecialAddress(host))) return { en: 'it is a loopback or private address', de: 'das ist eine Loopback- oder private Adresse' };
  return null;
}

/** Resolves the URL's host at delivery time and refuses special addresses (a name may point anywhere). */
export async function assertDeliverable(url: string, allowPrivate: boolean): Promise<void> {
  const reason = refusedUrl(url, allowPrivate);
  if (reason) throw new Error(`refused: ${reason.en}`);
  if (allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  // Not proof against a name that changes between this lookup and the connect (DNS rebinding).
  for (const a of addrs) if (isSpecialAddress(a.address)) throw new Error(`refused: ${host} resolves to ${a.address}, a private address`);
}
