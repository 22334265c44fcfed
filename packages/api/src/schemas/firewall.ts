/**
 * Wire schemas of firewalls (tenants' rule sets, applied per server, per NIC or by label) and
 * zones (operators' separation of the site, with an allowed-flows matrix between zones).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Name, ServerLabels } from '../schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const FirewallAction = Type.Union([Type.Literal('accept'), Type.Literal('drop'), Type.Literal('reject')]);
export type FirewallAction = Static<typeof FirewallAction>;
export const FirewallProtocol = Type.Union([
  Type.Literal('tcp'),
  Type.Literal('udp'),
  Type.Literal('icmp'),
  Type.Literal('icmpv6'),
  Type.Literal('esp'),
  Type.Literal('gre'),
  Type.Literal('any'),
]);
export type FirewallProtocol = Static<typeof FirewallProtocol>;

/** The other end of a rule: an address range, or a resource the address is derived from. */
export const FirewallPeer = Type.Union([
  Type.Object({ cidr: Type.String({ maxLength: 64, description: 'IPv4 or IPv6 address or range, e.g. 10.0.0.0/8' }) }, { additionalProperties: false }),
  Type.Object({ server: Type.String({ minLength: 1, maxLength: 64, description: 'one of your servers, by id or name; follows its addresses' }) }, { additionalProperties: false }),
  Type.Object({ network: Type.String({ minLength: 1, maxLength: 64, description: 'one of your networks, by id or name, or "default"' }) }, { additionalProperties: false }),
  Type.Object({ labelSelector: Type.String({ minLength: 1, maxLength: 2000, description: 'your servers whose labels match, e.g. role=web' }) }, { additionalProperties: false }),
]);
export type FirewallPeer = Static<typeof FirewallPeer>;

/** One rule: what it does to packets of a protocol, to some ports, from or to some peers. */
export const FirewallRule = Type.Object(
  {
    action: FirewallAction,
    protocol: FirewallProtocol,
    ports: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$', description: '"22" or "8000-8100"' }), { minItems: 1, maxItems: 32, description: 'tcp and udp only; all ports when left out' })),
    peers: Type.Optional(Type.Array(FirewallPeer, { minItems: 1, maxItems: 32, description: 'sources of inbound, destinations of outbound rules; anyone when left out' })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    log: Type.Optional(Type.Boolean({ description: 'log the packets this rule matches into the firewall log of the NIC (at most 10 a second, burst 20; more are not logged)' })),
  },
  { additionalProperties: false },
);
export type FirewallRule = Static<typeof FirewallRule>;

/** What a firewall is applied to: a server's NICs, one NIC, or every server matching a selector. */
export const FirewallTarget = Type.Union([
  Type.Object({ type: Type.Literal('server'), server: Type.String({ minLength: 1, maxLength: 64, description: 'server id or name' }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('nic'), server: Type.String({ minLength: 1, maxLength: 64 }), nic: Type.String({ pattern: '^nic_[0-9a-z]{20,32}$' }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('label_selector'), selector: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
]);
export type FirewallTarget = Static<typeof FirewallTarget>;

export const Firewall = Type.Object(
  {
    id: Type.String({ pattern: '^fw_[0-9a-z]{20,32}$' }),
    tenantId: Type.String(),
    name: Name,
    inbound: Type.Array(FirewallRule),
    outbound: Type.Array(FirewallRule),
    appliedTo: Type.Array(FirewallTarget, { description: 'servers by id; evaluated in this order with other firewalls on the same NIC' }),
    labels: ServerLabels,
    generation: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Firewall' },
);
export type Firewall = Static<typeof Firewall>;

const Rules = Type.Array(FirewallRule, { maxItems: 500 });
export const CreateFirewall = Type.Object(
  { name: Name, inbound: Type.Optional(Rules), outbound: Type.Optional(Rules), applyTo: Type.Optional(Type.Array(FirewallTarget, { maxItems: 100 })), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false },
);
export type CreateFirewall = Static<typeof CreateFirewall>;
export const UpdateFirewall = Type.Object(
  { name: Type.Optional(Name), inbound: Type.Optional(Rules), outbound: Type.Optional(Rules), labels: Type.Optional(ServerLabels) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateFirewall = Static<typeof UpdateFirewall>;
/** The body of apply-to and remove-from. */
export const FirewallTargets = Type.Object({ applyTo: Type.Array(FirewallTarget, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });
export type FirewallTargets = Static<typeof FirewallTargets>;

/** A flow one zone may start towards another: a protocol, and for tcp/udp optionally ports. */
export const ZoneFlow = Type.Object(
  {
    to: Type.String({ minLength: 1, maxLength: 64, description: 'the other zone, by id or name' }),
    protocol: FirewallProtocol,
    ports: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$' }), { minItems: 1, maxItems: 32 })),
  },
  { additionalProperties: false },
);
export type ZoneFlow = Static<typeof ZoneFlow>;

/** What a zone is for: the usual separations of a well-run site. */
export const ZonePurpose = Type.String({ pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$', description: 'e.g. server, office-backup, test, cameras, iot-actuators, iot-consumer' });

export const Zone = Type.Object(
  {
    id: Type.String({ pattern: '^zone_[0-9a-z]{20,32}$' }),
    name: Name,
    purpose: ZonePurpose,
    networks: Type.Array(Type.String(), { description: 'network ids (net_…) or "default"; each network is in one zone at most' }),
    pools: Type.Array(Type.String(), { description: 'public IP pools (pool ids) whose addresses are in this zone, wherever the server holding one sits; each pool is in one zone at most' }),
    flows: Type.Array(ZoneFlow, { description: 'new connections this zone may start towards others; everything else between zones is dropped' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Zone' },
);
export type Zone = Static<typeof Zone>;
export const CreateZone = Type.Object(
  { name: Name, purpose: ZonePurpose, networks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 })), pools: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })), flows: Type.Optional(Type.Array(ZoneFlow, { maxItems: 256 })) },
  { additionalProperties: false },
);
export type CreateZone = Static<typeof CreateZone>;
export const UpdateZone = Type.Object(
  { name: Type.Optional(Name), purpose: Type.Optional(ZonePurpose), networks: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 })), pools: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })), flows: Type.Optional(Type.Array(ZoneFlow, { maxItems: 256 })) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateZone = Static<typeof UpdateZone>;

/** Why a logged packet was dropped or let through: a rule of a firewall, or the NIC's defaults, anti-spoofing or the zones. */
export const FirewallLogReason = Type.Union([Type.Literal('rule'), Type.Literal('default-deny'), Type.Literal('anti-spoofing'), Type.Literal('zone')]);
export type FirewallLogReason = Static<typeof FirewallLogReason>;

/** One packet of a NIC's firewall log: the last dropped packets (and those of rules with `log`). */
export const FirewallLogEntry = Type.Object(
  {
    id: Type.String({ description: 'fwl_…; ids sort by time' }),
    at: Timestamp,
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
    action: FirewallAction,
    reason: FirewallLogReason,
    firewall: Type.Optional(Type.String({ description: 'the firewall whose rule matched (reason rule)' })),
    rule: Type.Optional(Type.Integer({ minimum: 0, description: 'index of the rule in the firewall\'s inbound or outbound list (reason rule)' })),
    protocol: Type.String({ description: 'tcp, udp, icmp, icmpv6 or the IP protocol number' }),
    source: Type.String(),
    destination: Type.String(),
    sourcePort: Type.Optional(Type.Integer()),
    destinationPort: Type.Optional(Type.Integer()),
  },
  { $id: 'FirewallLogEntry' },
);
export type FirewallLogEntry = Static<typeof FirewallLogEntry>;
export const FirewallLog = Type.Object({ items: Type.Array(FirewallLogEntry, { description: 'newest first; the last 100 of the NIC' }) }, { $id: 'FirewallLog' });
export type FirewallLog = Static<typeof FirewallLog>;

/** A proposed state of a firewall (or of a new one): what preview compares with what holds now. */
export const FirewallPreviewRequest = Type.Object(
  {
    firewall: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the firewall to change (id or name); left out for a new one' })),
    inbound: Type.Optional(Rules),
    outbound: Type.Optional(Rules),
    applyTo: Type.Optional(Type.Array(FirewallTarget, { maxItems: 100, description: 'the whole list of targets after the change' })),
  },
  { additionalProperties: false },
);
export type FirewallPreviewRequest = Static<typeof FirewallPreviewRequest>;

/** A rule as a NIC sees it in a preview, with the addresses its references stand for now. */
export const PreviewRule = Type.Composite([FirewallRule, Type.Object({ direction: Type.Union([Type.Literal('in'), Type.Literal('out')]), firewall: Type.String(), addresses: Type.Optional(Type.Array(Type.String(), { description: 'what the peers stand for now (references resolved)' })) })]);
export type PreviewRule = Static<typeof PreviewRule>;

/** What a change would do to one NIC: rules that start or stop letting traffic in or out. */
export const NicPreview = Type.Object({
  server: Type.String(),
  serverName: Type.String(),
  nic: Type.String(),
  guardedBefore: Type.Boolean({ description: 'the NIC had a firewall (default-deny inbound) before' }),
  guardedAfter: Type.Boolean(),
  opens: Type.Array(PreviewRule, { description: 'accepts that newly hold, drops that no longer do; an unguarded NIC opens everything' }),
  closes: Type.Array(PreviewRule),
});
export type NicPreview = Static<typeof NicPreview>;
export const FirewallPreview = Type.Object({ nics: Type.Array(NicPreview, { description: 'only NICs the change alters' }) }, { $id: 'FirewallPreview' });
export type FirewallPreview = Static<typeof FirewallPreview>;
