/**
 * Name resolution for guests. As with Proxmox VE's default, a guest uses the host's name
 * servers; loopback ones (systemd-resolved's 127.0.0.53, a local dnsmasq) are not reachable from
 * a guest's own network stack, so they are skipped, and systemd-resolved's upstream list is
 * read instead when that is all the host has.
 */
import { readFile } from 'node:fs/promises';

const HOST_FILES = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'];

/** Name servers a guest can reach and search domains, from resolv.conf(5) text. */
export function guestResolvers(text: string): { nameservers: string[]; search: string[] } {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const line of text.split('\n')) {
    const [key, ...values] = line.trim().split(/\s+/);
    if (key === 'nameserver' && values[0] && !unreachableFromGuest(values[0])) nameservers.push(values[0]);
    if (key === 'search' || key === 'domain') search = values;
  }
  // glibc reads at most three name servers.
  return { nameservers: nameservers.slice(0, 3), search };
}

function unreachableFromGuest(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === '0.0.0.0' || address.toLowerCase().startsWith('fe80:');
}

/**
 * The resolv.conf to write into a new guest, from the host's files as they are now: read at each
 * create (one small file) so that a host whose resolver changes hands the new one to the next guest.
 */
export async function guestResolvConf(files: string[] = HOST_FILES): Promise<string> {
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const { nameservers, search } = guestResolvers(text);
    if (nameservers.length === 0) continue;
    return [...(search.length ? [`search ${search.join(' ')}`] : []), ...nameservers.map((n) => `nameserver ${n}`)].join('\n') + '\n';
  }
  return '# The host has no name server a guest can reach; add one here.\n';
}

/** resolv.conf text with a vSwitch's name servers and search domains first (glibc reads three servers). */
export function withNetworkDns(text: string, dns: { nameservers: string[]; search: string[] } | undefined): string {
  if (!dns || dns.nameservers.length === 0) return text;
  const { nameservers, search } = guestResolvers(text);
  const servers = [...new Set([...dns.nameservers, ...nameservers])].slice(0, 3);
  const domains = [...new Set([...dns.search, ...search])];
  return [`search ${domains.join(' ')}`, ...servers.map((n) => `nameserver ${n}`)].join('\n') + '\n';
}

