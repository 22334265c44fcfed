/**
 * NICs plugged into and pulled out of a running container without a restart: the veth pair is
 * made with its guest end created straight inside the container's network namespace (one `ip`
 * call, so no half-moved link is ever left on the host), then addressed from the host through
 * nsenter. The host end is named after the NIC id, as LXC names the ones it makes at start.
 */
import { existsSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import type { NicSpec } from '../types.ts';
import { broadcastOf } from './config.ts';
import { run } from './exec.ts';
import { deleteLink, vethName } from './network.ts';

/** One interface inside the guest's network namespace, with its IPv4 and global IPv6 addresses. */
interface GuestLink {
  name: string;
  mac: string;
  up: boolean;
  addrs: string[];
}

/** What one look into the guest's network namespace shows: its links, and whether it has a default route. */
export interface GuestNet {
  links: GuestLink[];
  defaultRoute: boolean;
}

const inGuest = (pid: number, args: string[], opts: { input?: string; allowFail?: boolean } = {}) => run('nsenter', ['-t', String(pid), '-n', 'ip', ...args], opts);

/** Reads the guest's links, addresses and default route in one nsenter. */
export async function readGuestNet(pid: number): Promise<GuestNet> {
  const r = await inGuest(pid, ['-o', '-batch', '-'], { input: 'link show\naddr show\nroute show default\n' });
  const links = [...r.stdout.matchAll(/^\d+:\s+([^:@\s]+)[^\n]*?<([^>]*)>[^\n]*?link\/ether\s+([0-9a-f:]{17})/gm)].map((m) => ({
    name: m[1] ?? '',
    up: (m[2] ?? '').split(',').includes('UP'),
    mac: m[3] ?? '',
    addrs: [] as string[],
  }));
  for (const m of r.stdout.matchAll(/^\d+:\s+(\S+)\s+inet6?\s+(\S+)/gm)) links.find((l) => l.name === m[1])?.addrs.push(m[2] ?? '');
  return { links, defaultRoute: /^default /m.test(r.stdout) };
}

/** True when the host has a link of that name (sysfs: no process spawned). */
const present = (name: string) => existsSync(`/sys/class/net/${name}`);

/**
 * Plugs one NIC into the running guest `pid` and the host bridge `nic.link`; safe to repeat:
 * a NIC whose guest end is up with its address and whose host end is on the bridge is left as
 * it is. `preferred` is the name LXC gives it at the next start (eth<index>); a name the guest
 * already uses gets the next free one. `guest` is what readGuestNet saw, updated here.
 * Two processes at most: one `ip -batch` on the host (veth, bridge port, neighbour entry) and
 * one inside the guest (address, link up, route); each spawn costs 20–100+ ms on a busy host.
 * Answers true when the link was made here (a fresh veth has no rate limit yet).
 */
export async function plugNic(pid: number, nic: NicSpec, preferred: string, guest: GuestNet): Promise<boolean> {
  const host = vethName(nic.id);
  let inside = guest.links.find((l) => l.mac === nic.mac);
  const onBridge = present(host) && (await readlink(`/sys/class/net/${host}/master`).catch(() => '')).endsWith(`/${nic.link}`);
  if (inside?.up && inside.addrs.includes(nic.ipv4) && (!nic.ipv6 || inside.addrs.includes(nic.ipv6)) && onBridge) return false;
  const hostLines: string[] = [];
  const made = !inside;
  if (!inside) {
    // A host end without its guest end (the guest's namespace went away) is made again.
    if (present(host)) hostLines.push(`link del dev ${host}`);
    const taken = new Set(guest.links.map((l) => l.name));
    let name = preferred;
    for (let i = 0; taken.has(name); i++) name = `eth${i}`;
    hostLines.push(`link add ${host} type veth peer name ${name} address ${nic.mac} netns ${pid}`);
    inside = { name, mac: nic.mac, up: false, addrs: [] };
    guest.links.push(inside);
  }
  if (!onBridge || made) hostLines.push(`link set dev ${host} master ${nic.link} up`);
  // As at start: the host learns the new MAC now instead of from a stale entry later.
  hostLines.push(`neigh replace ${nic.ipv4.split('/')[0]} lladdr ${nic.mac} dev ${nic.link} nud stale`);
  await run('ip', ['-batch', '-'], { input: hostLines.map((l) => `${l}\n`).join('') });
  const lines = [`addr replace ${nic.ipv4} broadcast ${broadcastOf(nic.ipv4)} dev ${inside.name}`, `link set dev ${inside.name} up`];
  // nodad: the address is ours alone on the vSwitch (it follows the MAC), so it answers at once.
  if (nic.ipv6) lines.push(`addr replace ${nic.ipv6} dev ${inside.name} nodad`);
  if (nic.gateway && !guest.defaultRoute) {
    lines.push(`route replace default via ${nic.gateway} dev ${inside.name}`);
    guest.defaultRoute = true;
  }
  await inGuest(pid, ['-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') });
  inside.up = true;
  inside.addrs.push(nic.ipv4, ...(nic.ipv6 ? [nic.ipv6] : []));
  return made;
}

/**
 * Pulls a NIC out by deleting its host end: the kernel removes the guest end with it, and the
 * address goes with the guest end. Absent is success.
 */
export async function unplugNic(veth: string): Promise<void> {
  if (present(veth)) await deleteLink(veth);
}
