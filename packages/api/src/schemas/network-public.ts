/**
 * Wire schemas of public IPs: pools an operator defines (IPv4 ranges, IPv6 prefixes cut into
 * one /64 per address) on an uplink of the host, and the addresses tenants hold from them as
 * resources of their own, assigned to one server at a time (the way Hetzner's primary IPs work).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Name } from '../schemas.ts';
import { Labels } from './storage.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const IpFamily = Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]);
export type IpFamily = Static<typeof IpFamily>;

export const PoolMode = Type.Union([Type.Literal('routed'), Type.Literal('bridged')], {
  description: 'routed: /32 and /64 routed on the host to the server, with proxy ARP/NDP toward the uplink; bridged: the server sits on the uplink bridge itself',
});
export type PoolMode = Static<typeof PoolMode>;

/** Host interface names: at most 15 characters, as the kernel allows. */
export const InterfaceName = Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'a network interface of the host, e.g. eth0' });

/** A DNS host name for reverse DNS (PTR), at most 253 characters, labels of 1–63. */
export const HostName = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$',
  description: 'a host name such as mail.example.com',
});

/** A pool of public addresses an operator hands to tenants. */
export const IpPool = Type.Object(
  {
    id: Type.String({ pattern: '^pool_[0-9a-z]{20,32}$' }),
    name: Name,
    family: IpFamily,
    range: Type.String({ description: 'IPv4: a.b.c.d/len or a.b.c.d-a.b.c.e; IPv6: a prefix such as 2001:db8:100::/56 (each address is one /64 of it)' }),
    uplink: InterfaceName,
    mode: PoolMode,
    cooldownSeconds: Type.Integer({ minimum: 0, description: 'a released address rests this long before it is handed out again' }),
    labels: Labels,
    size: Type.Integer({ description: 'addresses (IPv4) or /64 prefixes (IPv6) in the pool' }),
    allocated: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'IpPool' },
);
export type IpPool = Static<typeof IpPool>;

export const CreateIpPool = Type.Object(
  {
    name: Name,
    range: Type.String({ minLength: 3, maxLength: 100 }),
    uplink: InterfaceName,
    mode: Type.Optional(PoolMode),
    cooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000, description: '1800 by default' })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export type CreateIpPool = Static<typeof CreateIpPool>;

export const UpdateIpPool = Type.Object(
  { name: Type.Optional(Name), cooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })), labels: Type.Optional(Labels) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateIpPool = Static<typeof UpdateIpPool>;

/** A public address a tenant holds, assigned to one of its servers or to none. */
export const PublicIp = Type.Object(
  {
    id: Type.String({ pattern: '^pip_[0-9a-z]{20,32}$' }),
    name: Name,
    labels: Labels,
    family: IpFamily,
    pool: Type.String({ description: 'pool_… id' }),
    address: Type.String({ description: 'IPv4: the address; IPv6: the /64 prefix of the server, e.g. 2001:db8:100:3::/64' }),
    server: Type.Union([Type.String(), Type.Null()], { description: 'srv_… id it is assigned to; null when unassigned' }),
    reverseDns: Type.Union([HostName, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'PublicIp' },
);
export type PublicIp = Static<typeof PublicIp>;

export const AllocatePublicIp = Type.Object(
  {
    name: Name,
    family: Type.Optional(IpFamily),
    pool: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'pool id or name; any pool of the family by default' })),
    address: Type.Optional(Type.String({ minLength: 2, maxLength: 64, description: 'a chosen address (IPv4) or an address inside the chosen /64 (IPv6); the next free one by default' })),
    labels: Type.Optional(Labels),
    reverseDns: Type.Optional(Type.Union([HostName, Type.Null()])),
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'assign it to this server at once' })),
  },
  { additionalProperties: false },
);
export type AllocatePublicIp = Static<typeof AllocatePublicIp>;

export const UpdatePublicIp = Type.Object(
  { name: Type.Optional(Name), labels: Type.Optional(Labels), reverseDns: Type.Optional(Type.Union([HostName, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePublicIp = Static<typeof UpdatePublicIp>;

export const AssignPublicIp = Type.Object({ server: Type.String({ minLength: 1, maxLength: 64, description: 'server id or name' }) }, { additionalProperties: false });
export type AssignPublicIp = Static<typeof AssignPublicIp>;
