/**
 * Typed calls for Proxmox VE clusters (operators), over a KumulusClient.
 */
import type { KumulusClient } from './client.ts';
import type { Cluster, CreateCluster, UpdateClusterNode } from './schemas/clusters.ts';

const at = (id: string) => encodeURIComponent(id);

/** The cluster calls of the API, bound to one client. */
export function clusterApi(c: KumulusClient) {
  return {
    list: () => c.request<Cluster[]>('GET', '/clusters'),
    get: (id: string) => c.request<Cluster>('GET', `/clusters/${at(id)}`),
    register: (body: CreateCluster) => c.request<Cluster>('POST', '/clusters', body),
    check: (id: string) => c.request<Cluster>('POST', `/clusters/${at(id)}/actions/check`, {}),
    updateNode: (id: string, node: string, body: UpdateClusterNode) => c.request<Cluster>('PATCH', `/clusters/${at(id)}/nodes/${at(node)}`, body),
    delete: (id: string) => c.request<void>('DELETE', `/clusters/${at(id)}`),
  };
}

/** The cluster calls bound to a client. */
export type ClusterApi = ReturnType<typeof clusterApi>;
