/**
 * The Proxmox VE engine: a cluster driven over `/api2/json` with an API token, facet by facet like the local one.
 */
import type { Engine } from '../types.ts';
import { createPveClient, type PveClient, type ProxmoxEndpoint } from './client.ts';
import { createProxmoxCompute } from './compute.ts';
import { firewallProblems } from './firewall.ts';
import { checkConnection } from './host.ts';
import { createProxmoxImages } from './images.ts';
import { createProxmoxNetwork } from './network.ts';
import { createNicBook } from './nic-book.ts';
import type { NodeRole } from './placement.ts';
import { createProxmoxStorage } from './storage.ts';
import { createTaskPoller } from './tasks.ts';

/** Options of the Proxmox engine; the defaults are those of a fresh Proxmox VE install. */
export interface ProxmoxEngineOptions extends ProxmoxEndpoint {
  /** Bridge of the default network on every node. */
  bridge?: string;
  /** Storage for root filesystems. */
  rootStorage?: string;
  /** Storage holding container templates. */
  templateStorage?: string;
  /** Node roles; a node not named is for compute. */
  roles?: Record<string, NodeRole>;
  watchMs?: number;
  /** The registered cluster's id (`pvc_…`), when the engine drives one registered in the store. */
  clusterId?: string;
}

/** The engine and its client (the client's request count is what the benchmark reads). */
export function createProxmoxEngine(opts: ProxmoxEngineOptions): Engine & { client: PveClient; cluster: { id: string | null; roles: Record<string, NodeRole> } } {
  const client = createPveClient(opts);
  // One object the placement reads on every create, so a role an operator sets applies at once.
  const roles: Record<string, NodeRole> = { ...opts.roles };
  const tasks = createTaskPoller(client);
  const nics = createNicBook();
  const rollingBack = new Set<string>();
  return {
    name: 'proxmox',
    client,
    cluster: { id: opts.clusterId ?? null, roles },
    compute: createProxmoxCompute({ client, tasks, rootStorage: opts.rootStorage ?? 'local-lvm', roles, nics, rollingBack, watchMs: opts.watchMs }),
    images: createProxmoxImages(client, opts.templateStorage ?? 'local'),
    network: createProxmoxNetwork(client, opts.bridge ?? 'vmbr0', nics),
    storage: createProxmoxStorage(client, tasks, opts.rootStorage ?? 'local-lvm', rollingBack),
    host: {
      async preflight() {
        const problems = await checkConnection(client, opts.url);
        return problems.length > 0 ? problems : firewallProblems(client);
      },
    },
  };
}
