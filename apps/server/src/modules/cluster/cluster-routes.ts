import { Cluster, CreateCluster, UpdateClusterNode } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Clusters } from './clusters.ts';

const NodeParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), node: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9.-]+$' }) });

/** The routes of Proxmox VE clusters (operators). */
export function clusterRoutes(clusters: Clusters): RouteDef[] {
  return [
    { method: 'GET', url: '/clusters', summary: 'List the registered Proxmox VE clusters with their nodes and last connection check (operators)', tag: 'clusters', errors: ['FORBIDDEN'], responses: { 200: Type.Array(Cluster) }, handler: (_req, _r, p) => clusters.list(p) },
    {
      method: 'POST',
      url: '/clusters',
      summary: 'Register a Proxmox VE cluster: the connection, the token and its privileges are checked first, the nodes discovered (operators)',
      tag: 'clusters',
      body: CreateCluster,
      errors: ['FORBIDDEN', 'VALIDATION_FAILED', 'CLUSTER_EXISTS', 'CLUSTER_SWITCH_BLOCKED', 'PROXMOX_UNREACHABLE', 'PROXMOX_TOKEN_REFUSED', 'PROXMOX_PRIVILEGES_MISSING'],
      responses: { 201: Cluster },
      handler: async (req, reply, p) => reply.status(201).send(await clusters.register(p, req.body as CreateCluster, req.id)),
    },
    { method: 'GET', url: '/clusters/:id', summary: 'Show a cluster (operators)', tag: 'clusters', params: IdParam, errors: ['FORBIDDEN', 'CLUSTER_NOT_FOUND'], responses: { 200: Cluster }, handler: (req, _r, p) => clusters.get(p, idOf(req)) },
    {
      method: 'POST',
      url: '/clusters/:id/actions/check',
      summary: 'Check a cluster now: reachable, token valid, privileges held (missing ones named); nodes discovered again (operators)',
      tag: 'clusters',
      params: IdParam,
      errors: ['FORBIDDEN', 'CLUSTER_NOT_FOUND', 'SECRET_KEY_INVALID'],
      responses: { 200: Cluster },
      handler: (req, _r, p) => clusters.check(p, idOf(req)),
    },
    {
      method: 'PATCH',
      url: '/clusters/:id/nodes/:node',
      summary: "Set a node's role (only compute nodes get servers) and labels (operators)",
      tag: 'clusters',
      params: NodeParam,
      body: UpdateClusterNode,
      errors: ['FORBIDDEN', 'VALIDATION_FAILED', 'CLUSTER_NOT_FOUND', 'CLUSTER_NODE_NOT_FOUND'],
      responses: { 200: Cluster },
      handler: (req, _r, p) => clusters.updateNode(p, idOf(req), (req.params as { node: string }).node, req.body as UpdateClusterNode, req.id),
    },
    {
      method: 'DELETE',
      url: '/clusters/:id',
      summary: 'Remove a cluster registration; refused while the cluster driven now holds servers (operators)',
      tag: 'clusters',
      params: IdParam,
      errors: ['FORBIDDEN', 'CLUSTER_NOT_FOUND', 'CLUSTER_IN_USE'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await clusters.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
  ];
}
