/**
 * Wire schemas of vSwitches (tenant-private networks) and their address allocations.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Name, Operation, ServerLabels } from './schemas.ts';

const Ipv4 = Type.String({ pattern: '^(\\d{1,3}\\.){3}\\d{1,3}$', description: 'an IPv4 address, e.g. 10.20.0.1' });
const Ipv4Cidr = Type.String({ pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$', description: 'an RFC 1918 IPv4 network, e.g. 10.20.0.0/24' });
const Ipv6Cidr = Type.String({ pattern: '^[0-9a-fA-F:]+/\\d{1,3}$', description: 'an IPv6 /64, a ULA (fd00::/8) or a routed prefix, e.g. fd12:3456:789a:1::/64' });
const Timestamp = Type.String({ format: 'date-time' });

export const NetworkPhase = Type.Union([Type.Literal('Pending'), Type.Literal('Ready'), Type.Literal('Deleting'), Type.Literal('Failed')]);
export type NetworkPhase = Static<typeof NetworkPhase>;

/** A tenant-private layer-2 network with its own subnet, DHCP and DNS. */
export const Network = Type.Object(
  {
    id: Type.String({ pattern: '^net_[0-9a-z]{20,32}$' }),
    name: Name,
    ipv4Cidr: Ipv4Cidr,
    gateway: Type.Union([Ipv4, Type.Null()], { description: 'announced as the router over DHCP; null: no default route through this network' }),
    ipv6Cidr: Type.Union([Ipv6Cidr, Type.Null()], { description: 'the /64 announced by router advertisements (SLAAC); each NIC gets the address SLAAC derives from its MAC; null: IPv4 only' }),
    dnsServer: Ipv4,
    dnsDomain: Type.String({ description: 'servers on the network resolve each other as <hostname>.<dnsDomain>' }),
    labels: ServerLabels,
    generation: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    status: Type.Object({ phase: NetworkPhase, message: Type.String(), observedGeneration: Type.Integer() }),
  },
  { $id: 'Network' },
);
export type Network = Static<typeof Network>;

export const CreateNetwork = Type.Object(
  {
    name: Name,
    ipv4Cidr: Ipv4Cidr,
    gateway: Type.Optional(Type.Union([Ipv4, Type.Null()], { description: 'an address inside ipv4Cidr; none by default' })),
    ipv6Cidr: Type.Optional(Type.Union([Ipv6Cidr, Type.Null()], { description: 'an IPv6 /64 for the network (a ULA from fd00::/8 or a routed prefix); IPv4 only by default' })),
    labels: Type.Optional(ServerLabels),
  },
  { additionalProperties: false },
);
export type CreateNetwork = Static<typeof CreateNetwork>;

/** A new name and/or labels (replaced as a whole) of a network. */
export const UpdateNetwork = Type.Object({ name: Type.Optional(Name), labels: Type.Optional(ServerLabels) }, { additionalProperties: false, minProperties: 1 });
export type UpdateNetwork = Static<typeof UpdateNetwork>;

export const NetworkWithOperation = Type.Object({ network: Network, operation: Operation });
export type NetworkWithOperation = Static<typeof NetworkWithOperation>;

/** An address held on a network, and by what. */
export const Allocation = Type.Object({
  address: Ipv4,
  kind: Type.Union([Type.Literal('service'), Type.Literal('nic')], { description: 'service: the network’s own DHCP/DNS (and gateway) address' }),
  serverId: Type.Union([Type.String(), Type.Null()]),
  nicId: Type.Union([Type.String(), Type.Null()]),
  ipv6: Type.Optional(Type.String({ description: 'the IPv6 address beside it, on networks with an ipv6Cidr' })),
});
export type Allocation = Static<typeof Allocation>;
