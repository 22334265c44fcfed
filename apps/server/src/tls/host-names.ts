/**
 * The host's names and addresses, as a certificate names them and as a user elsewhere on the LAN reaches them.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** The subject and subject alternative names of a self-signed certificate for this host. */
export interface CertificateNames {
  commonName: string;
  dns: string[];
  ips: string[];
}

/** The host name, `localhost`, loopback and every address of the host except IPv6 link-local ones. */
export function certificateNames(): CertificateNames {
  const host = hostname();
  // A name that is not a plain DNS name would make openssl's config (and the certificate) invalid.
  const dns = [...new Set([host, 'localhost'])].filter((d) => /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(d));
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // fe80:: addresses only mean something together with an interface, which a URL cannot carry to a certificate.
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      ips.add(a.address);
    }
  }
  return { commonName: dns[0] ?? 'localhost', dns, ips: [...ips] };
}

/** Whether a listen host accepts connections only from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The address a user on the LAN most likely uses to reach this host: the IPv4 address of the interface the
 * default route leaves through, else the first IPv4 address that is not loopback, else a global IPv6 one.
 */
export function lanAddress(): string | null {
  const interfaces = networkInterfaces();
  const v4 = (name: string) => interfaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const viaDefault = defaultRouteInterface();
  const preferred = viaDefault ? v4(viaDefault) : undefined;
  if (preferred) return preferred;
  const all = Object.values(interfaces).flatMap((l) => l ?? []);
  return (
    all.find((a) => a.family === 'IPv4' && !a.internal)?.address ??
    all.find((a) => a.family === 'IPv6' && !a.internal && !/^f[cde]/i.test(a.address))?.address ??
    null
  );
}

// /proc/net/route lists IPv4 routes with hex fields; the default one has destination and mask 0.
function defaultRouteInterface(): string | undefined {
  try {
    const lines = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
    return lines.map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000' && f[7] === '00000000')?.[0];
  } catch {
    return undefined;
  }
}
