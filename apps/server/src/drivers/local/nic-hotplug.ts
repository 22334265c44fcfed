/**
 * NICs plugged into and pulled out of a running container without a restart: the veth pair is
 * made with its guest end created straight inside the container's network namespace (one `ip`
 * call, so no half-moved link is ever left on the host), then addressed from the host through
 * nsenter. The host end is named after the NIC id, as LXC names the ones it makes at start.
 */
import type { NicSpec } from '../types.ts';
import { broadcastOf } from './config.ts';
import { run } from './exec.ts';
import { announceNeighbours, deleteLink, forgetNeighbours, linkExists, vethName } from './network.ts';

/** One interface inside the guest's network namespace. */
interface GuestLink {
  name: string;
  mac: string;
}

const inGuest = (pid: number, args: string[], allowFail = false) => run('nsenter', ['-t', String(pid), '-n', 'ip', ...args], { allowFail });

/** The guest's interfaces with their MACs, read through its network namespace. */
export async function guestLinks(pid: number): Promise<GuestLink[]> {
  const r = await inGuest(pid, ['-o', 'link', 'show']);
  return [...r.stdout.matchAll(/^\d+:\s+([^:@\s]+)[^\n]*?link\/ether\s+([0-9a-f:]{17})/gm)].map((m) => ({ name: m[1] ?? '', mac: m[2] ?? '' }));
}

/**
 * Plugs one NIC into the running guest `pid` and the host bridge `nic.link`; safe to repeat
 * (a NIC whose host end exists is only addressed again). `preferred` is the name LXC would
 * give it at the next start (eth<index>); a name the guest already uses gets the next free one.
 */
export async function plugNic(pid: number, nic: NicSpec, preferred: string): Promise<void> {
  const host = vethName(nic.id);
  let links = await guestLinks(pid);
  let inside = links.find((l) => l.mac === nic.mac)?.name;
  if (!inside) {
    // A host end without its guest end (the guest's namespace went away) is made again.
    if (await linkExists(host)) await deleteLink(host);
    const taken = new Set(links.map((l) => l.name));
    let name = preferred;
    for (let i = 0; taken.has(name); i++) name = `eth${i}`;
    await run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', name, 'address', nic.mac, 'netns', String(pid)]);
    links = await guestLinks(pid);
    inside = name;
  }
  await run('ip', ['link', 'set', 'dev', host, 'master', nic.link, 'up']);
  await inGuest(pid, ['addr', 'replace', nic.ipv4, 'broadcast', broadcastOf(nic.ipv4), 'dev', inside]);
  await inGuest(pid, ['link', 'set', 'dev', inside, 'up']);
  if (nic.gateway && !(await inGuest(pid, ['route', 'show', 'default'])).stdout.trim()) {
    await inGuest(pid, ['route', 'replace', 'default', 'via', nic.gateway, 'dev', inside]);
  }
  // As at start: the host learns the new MAC now instead of from a stale entry later.
  await announceNeighbours([{ link: nic.link, ipv4: nic.ipv4.split('/')[0] ?? '', mac: nic.mac }]);
}

/**
 * Pulls a NIC out by deleting its host end: the kernel removes the guest end with it, and the
 * address goes with the guest end. Absent is success.
 */
export async function unplugNic(veth: string, neighbour?: { link: string; ipv4: string; mac: string }): Promise<void> {
  await deleteLink(veth);
  if (neighbour) await forgetNeighbours([neighbour]);
}
