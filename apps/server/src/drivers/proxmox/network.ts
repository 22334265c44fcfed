/**
 * The network facet on Proxmox VE: the default network is an existing bridge on every node (`vmbr0` on a fresh
 * install; Kumulus does not edit the nodes' /etc/network/interfaces). Tenant vSwitches as SDN vnets are not
 * built yet and say so.
 */
import { type NetworkDriver, PermanentEngineError } from '../types.ts';
import type { PveClient } from './client.ts';

/** Creates the network facet; `bridge` is the bridge every node has for the default network. */
export function createProxmoxNetwork(client: PveClient, bridge: string): NetworkDriver {
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
    // Proxmox VE keeps traffic per guest (rrddata netin/netout), not per NIC; until that is mapped, no NIC has
    // counters here and the traffic collector books nothing for guests on this engine.
    async nicCounters() {
      return new Map();
    },
  };
}
