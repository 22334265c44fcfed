/**
 * The options of a container as Kumulus makes it (`POST /nodes/{node}/lxc`): size, NICs, keys, the root password
 * hash (pve-container takes a crypt(3) hash as `password` as it is), tags and the record of what was set.
 */
import type { InstanceSpec, NicSpec } from '../types.ts';
import type { PveParams } from './client.ts';
import { OWNER_TAG } from './guests.ts';
import { describe, recordOf } from './record.ts';

/** The `netN` option of a NIC; the guest sees it as `eth<i>`, and its firewall holds it to its address. */
export function netOption(n: NicSpec, i: number): string {
  return `name=eth${i},bridge=${n.link},firewall=1,hwaddr=${n.mac},ip=${n.ipv4}${n.gateway ? `,gw=${n.gateway}` : ''}`;
}

/** The parameters of the create of `sp` as guest `vmid` with its root filesystem on `rootStorage`. */
export function containerParams(sp: InstanceSpec, vmid: number, rootStorage: string): PveParams {
  const p: PveParams = {
    vmid,
    ostemplate: sp.image,
    hostname: sp.hostname,
    cores: sp.vcpus,
    memory: sp.memoryMb,
    swap: 0,
    rootfs: `${rootStorage}:${sp.diskGb}`,
    unprivileged: true,
    tags: `${OWNER_TAG};${sp.id}`,
    description: '',
  };
  sp.nics.forEach((n, i) => {
    p[`net${i}`] = netOption(n, i);
  });
  if (sp.sshKeys.length > 0) p['ssh-public-keys'] = sp.sshKeys.join('\n');
  if (sp.rootPasswordHash) p.password = sp.rootPasswordHash;
  if (sp.dns && sp.dns.nameservers.length > 0) p.nameserver = sp.dns.nameservers.join(' ');
  if (sp.dns && sp.dns.search.length > 0) p.searchdomain = sp.dns.search.join(' ');
  p.description = describe(sp.id, { ...recordOf(p), nics: sp.nics.map((n) => n.id).join(',') });
  return p;
}
