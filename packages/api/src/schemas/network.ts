/**
 * Wire schemas of a server's NICs as their own resource: attach to a network, list, detach.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nic, Operation, Page } from '../schemas.ts';

/** Attaches one NIC to an existing server: a network by id or name, optionally a fixed address. */
export const AttachNic = Type.Object(
  {
    network: Type.String({ minLength: 1, maxLength: 64, description: 'id or name of one of your networks, or "default"' }),
    ipv4: Type.Optional(Type.String({ pattern: '^(\\d{1,3}\\.){3}\\d{1,3}$', description: 'a fixed address inside the network' })),
  },
  { additionalProperties: false },
);
export type AttachNic = Static<typeof AttachNic>;

/** A NIC of a server with where it stands on the host. */
export const ServerNic = Type.Composite([
  Nic,
  Type.Object({
    state: Type.Union([Type.Literal('attaching'), Type.Literal('attached'), Type.Literal('detaching')], {
      description: 'attaching: in the spec, not yet on the host; detaching: gone from the spec, its address still held until the host link is gone',
    }),
  }),
]);
export type ServerNic = Static<typeof ServerNic>;

/** The NICs of one server. */
export const ServerNicList = Page(ServerNic);
export type ServerNicList = Static<typeof ServerNicList>;

/** The answer to an attach: the new NIC and the operation that plugs it in. */
export const NicWithOperation = Type.Object({ nic: Nic, operation: Operation });
export type NicWithOperation = Static<typeof NicWithOperation>;

/** Path parameters of one NIC of one server. */
export const NicParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), nicId: Type.String({ pattern: '^nic_[0-9a-z]{20,32}$', description: 'nic_… id' }) });

/** New rate limits of one NIC, applied live; 0 or null lifts a limit. */
export const LimitNic = Type.Object(
  {
    ingressMbit: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Null()], { description: 'into the server, Mbit/s' })),
    egressMbit: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Null()], { description: 'out of the server, Mbit/s' })),
  },
  { additionalProperties: false },
);
export type LimitNic = Static<typeof LimitNic>;

/** Traffic of a server in one hour, split into public (the NATed default network) and private (vSwitches). */
export const TrafficHour = Type.Object({
  hour: Type.String({ format: 'date-time', description: 'start of the hour' }),
  publicInBytes: Type.Integer(),
  publicOutBytes: Type.Integer(),
  privateInBytes: Type.Integer(),
  privateOutBytes: Type.Integer(),
});
export type TrafficHour = Static<typeof TrafficHour>;

/** Bytes one NIC moved in one hour (in: into the server, out: out of it). */
export const NicTrafficHour = Type.Object({ hour: Type.String({ format: 'date-time', description: 'start of the hour' }), inBytes: Type.Integer(), outBytes: Type.Integer() });
export type NicTrafficHour = Static<typeof NicTrafficHour>;

/** One NIC's traffic per hour, oldest first; a detached NIC keeps its hours (network null once it is gone). */
export const NicTraffic = Type.Object({
  nicId: Type.String(),
  network: Type.Union([Type.String(), Type.Null()], { description: 'network id, "default", or null for a NIC no longer attached' }),
  public: Type.Boolean({ description: 'true for the NATed default network, whose traffic counts against the plan' }),
  items: Type.Array(NicTrafficHour),
});
export type NicTraffic = Static<typeof NicTraffic>;

/** Which hours of a server's traffic to answer, and of which NIC. */
export const TrafficQuery = Type.Object(
  {
    hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 744, description: 'the last N hours (default 744, 31 days)' })),
    nic: Type.Optional(Type.String({ pattern: '^nic_[0-9a-z]{20,32}$', description: 'only this NIC (nic_… id)' })),
  },
  { additionalProperties: false },
);
export type TrafficQuery = Static<typeof TrafficQuery>;

/** A server's traffic per hour, oldest first: the sums of all its NICs in `items`, and per NIC in `nics`. */
export const ServerTraffic = Type.Object({
  since: Type.String({ format: 'date-time', description: 'start of the first hour asked for' }),
  items: Type.Array(TrafficHour),
  nics: Type.Array(NicTraffic),
});
export type ServerTraffic = Static<typeof ServerTraffic>;

/** A plan's network terms; null is none. Public outbound traffic is what counts against them. */
export const PlanTraffic = Type.Object(
  {
    nicMbit: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], { description: 'default limit of every NIC, each way, Mbit/s' }),
    includedGb: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'public outbound traffic included per month, GB' }),
    throttleMbit: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], { description: 'soft limit: public NICs send at most this past the included traffic' }),
    hardLimitGb: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'hard limit: past it the server has the condition TrafficLimit (reason HardLimitExceeded)' }),
  },
  { additionalProperties: false },
);
export type PlanTraffic = Static<typeof PlanTraffic>;
