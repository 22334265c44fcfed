/**
 * The network facet on Proxmox VE: the default network is an existing bridge on every node (`vmbr0` on a fresh
 * install; Kumulus does not edit the nodes' /etc/network/interfaces). Traffic counters come from each guest's
 * netin/netout. Tenant vSwitches as SDN vnets are not built yet and say so.
 */
import { type NetworkDriver, PermanentEngineError } from '../types.ts';
import type { PveClient } from './client.ts';
import { ownerOf } from './guests.ts';
import type { NicBook } from './nic-book.ts';
import { nicIdsOf } from './record.ts';

/** Creates the network facet; `bridge` is the bridge every node has for the default network. */
export function createProxmoxNetwork(client: PveClient, bridge: string, book: NicBook): NetworkDriver {
  const notYet = () => new PermanentEngineError('vSwitches on Proxmox VE (SDN zones and vnets) are not built yet');
  return {
    async ensureDefault() {
      const nodes = await client.get<{ node: string; status: string }[]>('/nodes');
      const missing: string[] = [];
      for (const n of nodes.filter((x) => x.status === 'online')) {
        const nets = await client.get<{ iface: string }[]>(`/nodes/${encodeURIComponent(n.node)}/network`, { type: 'any_bridge' });
        if (!nets.some((x) => x.iface === bridge)) missing.push(n.node);
      }
      if (missing.length > 0) throw new PermanentEngineError(`bridge ${bridge} is missing on ${missing.join(', ')}: add it under System → Network on each node`);
      return bridge;
    },
    // The bridge belongs to the nodes' own network config; nothing of ours to remove.
    async removeDefault() {},
    async ensureNetwork() {
      throw notYet();
    },
    async removeNetwork() {
      throw notYet();
    },
    async listNetworks() {
      return [];
    },
    linkOf(id) {
      return `k${id.replace(/^net_/, '').slice(0, 7)}`;
    },
    // Proxmox VE counts traffic per guest, not per NIC: `netin`/`netout` of /cluster/resources sum all veths of a
    // running container since its start (netin is what the host sent into it). A guest with one NIC gives that
    // NIC's counters exactly; one with several is left out, since no API call tells the share of each. The vmid
    // stands for the link: a restart starts from zero, which the collector reads as a new link.
    async nicCounters(nicIds) {
      const out = new Map<string, { link: number; inBytes: number; outBytes: number }>();
      const wanted = new Set(nicIds);
      const res = await client.get<{ type: string; vmid?: number; node?: string; status?: string; tags?: string; netin?: number; netout?: number }[]>('/cluster/resources', { type: 'vm' });
      for (const r of res) {
        if (r.type !== 'lxc' || r.vmid === undefined || !r.node || r.status !== 'running' || !ownerOf(r.tags)) continue;
        let nics = book.get(r.vmid);
        if (!nics) {
          nics = nicIdsOf(await client.get<Record<string, string>>(`/nodes/${encodeURIComponent(r.node)}/lxc/${r.vmid}/config`));
          book.set(r.vmid, nics);
        }
        const only = nics.length === 1 ? nics[0] : undefined;
        if (only && wanted.has(only)) out.set(only, { link: r.vmid, inBytes: r.netin ?? 0, outBytes: r.netout ?? 0 });
      }
      return out;
    },
  };
}
