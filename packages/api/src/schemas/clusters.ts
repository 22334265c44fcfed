/**
 * Wire schemas of Proxmox VE clusters an operator registers: the endpoint, the API token (its secret goes in
 * and never comes out), the nodes found on it with their role and labels, and the last connection check.
 */
import { type Static, Type } from '@sinclair/typebox';
import { HostProblem, Name, ServerLabels } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

/** What a node is for: only `compute` nodes get servers; `storage` and `edge` nodes get none. */
export const NodeRole = Type.Union([Type.Literal('compute'), Type.Literal('storage'), Type.Literal('edge')], { description: 'compute: holds servers; storage, edge: gets no servers' });
export type NodeRole = Static<typeof NodeRole>;

export const ClusterNode = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  cpus: Type.Integer(),
  memoryMb: Type.Integer(),
  role: NodeRole,
  labels: ServerLabels,
});
export type ClusterNode = Static<typeof ClusterNode>;

export const ClusterHealth = Type.Object({
  ok: Type.Boolean({ description: 'reachable, the token accepted, and every privilege Kumulus needs held' }),
  checkedAt: Type.Union([Timestamp, Type.Null()]),
  problems: Type.Array(HostProblem),
});
export type ClusterHealth = Static<typeof ClusterHealth>;

export const Cluster = Type.Object(
  {
    id: Type.String({ description: 'pvc_… id' }),
    name: Name,
    engine: Type.Literal('proxmox'),
    url: Type.String(),
    tokenId: Type.String(),
    fingerprint: Type.Union([Type.String(), Type.Null()]),
    /** Whether the cluster's CA was given instead of a pinned fingerprint. */
    ca: Type.Boolean(),
    /** Whether this control plane drives its servers now; a cluster registered while it runs on the local host is driven from the next start. */
    active: Type.Boolean(),
    nodes: Type.Array(ClusterNode),
    health: ClusterHealth,
    createdAt: Timestamp,
  },
  { $id: 'Cluster' },
);
export type Cluster = Static<typeof Cluster>;

export const CreateCluster = Type.Object(
  {
    name: Name,
    url: Type.String({ minLength: 9, maxLength: 300, pattern: '^https://[A-Za-z0-9.:\\[\\]-]+(:[0-9]{1,5})?/?$', description: 'https://NODE:8006 of any node' }),
    tokenId: Type.String({ minLength: 5, maxLength: 200, pattern: '^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]*$', description: 'user@realm!tokenid' }),
    tokenSecret: Type.String({ minLength: 8, maxLength: 200, pattern: '^[A-Za-z0-9-]+$', description: 'the token secret (a UUID); sealed at rest, never returned' }),
    fingerprint: Type.Optional(Type.String({ minLength: 64, maxLength: 110, description: "SHA-256 fingerprint of the node's certificate (AA:BB:…), for self-signed clusters" })),
    ca: Type.Optional(Type.String({ minLength: 40, maxLength: 20_000, pattern: '-----BEGIN CERTIFICATE-----', description: "PEM of the cluster's CA (/etc/pve/pve-root-ca.pem), instead of a fingerprint" })),
  },
  { additionalProperties: false },
);
export type CreateCluster = Static<typeof CreateCluster>;

export const UpdateClusterNode = Type.Object(
  { role: Type.Optional(NodeRole), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateClusterNode = Static<typeof UpdateClusterNode>;
