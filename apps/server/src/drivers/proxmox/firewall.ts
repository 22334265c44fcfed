/**
 * Anti-spoofing per NIC on Proxmox VE: every NIC of ours has `firewall=1`, and the container's firewall has
 * `ipfilter` (only the addresses in its config may be sent from; pve-firewall adds them to the implicit
 * `ipfilter-netN` ipsets) and `macfilter` on, with both policies ACCEPT, since Kumulus firewall rules are not
 * mapped onto Proxmox yet and a DROP policy would cut the server off. It works only while the datacenter's
 * firewall is on, which Kumulus reports and never switches on itself (its input policy guards the nodes).
 */
import type { HostProblem } from '../types.ts';
import type { PveClient } from './client.ts';

/** The container firewall options Kumulus keeps on every guest of its own. */
export const ANTI_SPOOFING: Record<string, string | number> = { enable: 1, ipfilter: 1, macfilter: 1, policy_in: 'ACCEPT', policy_out: 'ACCEPT' };

/** Sets the anti-spoofing options on a container (`…/lxc/{vmid}`) unless they are set already. */
export async function ensureAntiSpoofing(client: PveClient, guestPath: string): Promise<void> {
  const now = await client.get<Record<string, string | number>>(`${guestPath}/firewall/options`);
  const differs = Object.entries(ANTI_SPOOFING).filter(([k, v]) => String(now[k] ?? '') !== String(v));
  if (differs.length === 0) return;
  await client.put(`${guestPath}/firewall/options`, Object.fromEntries(differs));
}

/** A problem when the datacenter firewall is off: servers run, but their NICs are not held to their addresses. */
export async function firewallProblems(client: PveClient): Promise<HostProblem[]> {
  const dc = await client.get<{ enable?: number | string }>('/cluster/firewall/options');
  if (String(dc.enable ?? '0') === '1') return [];
  return [
    {
      check: 'proxmox-firewall',
      subject: 'Datacenter → Firewall',
      message: 'the datacenter firewall is off, so servers on the cluster may send from addresses that are not theirs (no anti-spoofing)',
      fix: 'Enable it under Datacenter → Firewall → Options, after allowing what reaches the nodes (its input policy is DROP); Kumulus never switches it on itself.',
      images: [],
    },
  ];
}
