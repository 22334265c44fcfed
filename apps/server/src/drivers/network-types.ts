/**
 * The network side of the engine interface (see types.ts): the default bridge and tenant
 * vSwitches, the packet filter, and public IPs routed to instances.
 */

/** A tenant network (vSwitch) as the engine makes it: one isolated layer-2 segment. */
export interface VSwitchSpec {
  /** Our network id (`net_…`); the engine names its objects after it. */
  id: string;
  /** The subnet, e.g. `10.20.0.0/24`. */
  cidr: string;
  /** The network's own address: DHCP and DNS answer there (and route, when it is the gateway). */
  serviceAddress: string;
  /** The router announced over DHCP; null for none. */
  gateway: string | null;
  /** The /64 announced by router advertisements, with the service's address in it; absent: IPv4 only. */
  ipv6?: { cidr: string; serviceAddress: string };
  /** DNS domain the service answers for, e.g. `backend.internal`. */
  domain: string;
  /** Every NIC on the network, for DHCP reservations and names, and to plug back in after drift. */
  hosts: { hostname: string; ipv4: string; ipv6?: string; mac: string; nicId: string }[];
}

/** The network facet: the default bridge instances get their first NIC on, and tenant vSwitches. */
export interface NetworkDriver {
  /** Makes the default network (bridge, gateway address, NAT) exist; returns the link name. */
  ensureDefault(net: { cidr: string; gateway: string }): Promise<string>;
  /** Removes what `ensureDefault` made (used by tests and uninstall). */
  removeDefault(): Promise<void>;
  /** Makes a vSwitch exist as the spec says (safe to repeat; updates names and reservations); returns its link. */
  ensureNetwork(spec: VSwitchSpec): Promise<string>;
  /** Removes everything made for a vSwitch; absent is success. */
  removeNetwork(id: string): Promise<void>;
  /** Ids of every vSwitch this engine holds for us, to find leftovers. */
  listNetworks(): Promise<string[]>;
  /** The link name NICs on the vSwitch plug into (known before it exists). */
  linkOf(id: string): string;
  /**
   * The kernel's byte counters of NICs by NIC id (`in`: to the instance, `out`: from it) with
   * the link's index, so a re-made link (counters from 0) is told apart; absent NICs are left out.
   */
  nicCounters(nicIds: string[]): Promise<Map<string, { link: number; inBytes: number; outBytes: number }>>;
}

/** The firewall facet: the host's whole packet filter, compiled by the control plane, applied at once. */
export interface FirewallDriver {
  /** Name of the engine's firewall tables. */
  readonly table: string;
  /** The host-side port name of a NIC, which frames from the instance enter the bridge by. */
  portOf(nicId: string): string;
  /** Hash of the ruleset the kernel holds now; null when none (or a damaged one) is there. */
  appliedHash(): Promise<string | null>;
  /** Replaces the whole ruleset in one transaction. */
  apply(text: string): Promise<void>;
  /** The kernel's listing of our tables, for tests and diagnostics. */
  ruleset(): Promise<string>;
  /** Removes the tables (tests and uninstall). */
  remove(): Promise<void>;
  /** The nflog group compiled log statements send to; absent when the engine reads no firewall log. */
  readonly logGroup?: number;
  /** Starts reading the packets logged to `logGroup`, each handed to `onPacket`; answers a stop function. */
  watchLog?(onPacket: (p: LoggedPacket) => void): () => Promise<void>;
}

/** A packet the firewall logged: why (the log prefix), its addresses, and the interfaces it passed. */
export interface LoggedPacket {
  at: Date;
  prefix: string;
  protocol: number;
  source: string;
  destination: string;
  sourcePort?: number;
  destinationPort?: number;
  /** Interface names as the kernel reported them: the bridge (in/out) and, for bridged frames, its port (physIn/physOut). */
  inIf?: string;
  outIf?: string;
  physIn?: string;
  physOut?: string;
}

/** One public address routed to an instance: where it goes and through which uplink it is announced. */
export interface PublicRoute {
  /** IPv4 address (no prefix length). */
  address: string;
  /** Our server id (`srv_…`). */
  instance: string;
  /** Index of the instance's public NIC (eth<n>): its NIC on the default network. */
  nicIndex: number;
  /** That NIC's own (private) address, which the host routes the public one through. */
  via: string;
  /** The host interface toward the upstream router, where the address is answered for (proxy ARP). */
  uplink: string;
}

/** One public IPv6 /64 routed to an instance; the instance holds its first address (`<prefix>1`). */
export interface PublicRoute6 {
  /** The /64, e.g. `2001:db8:100:3::/64`. */
  prefix: string;
  /** The address the instance holds in it and the host answers for upstream (proxy NDP). */
  host: string;
  instance: string;
  nicIndex: number;
  uplink: string;
}

/** Everything the host should route for public IPs: the routes, and the pools they come from. */
export interface PublicIpPlan {
  routes: PublicRoute[];
  routes6: PublicRoute6[];
  /** IPv6 pools as first address and length in /64s: proxy entries inside them that no route wants are ours to remove. */
  pools6: { uplink: string; first: bigint; size: number }[];
  /** Every pool (IPv4 ranges as first/last numbers): proxy entries inside them that no route wants are ours to remove. */
  pools: { uplink: string; first: number; last: number }[];
}

/** The public-IP facet: makes the host route exactly the plan's addresses, none missing and none left over. */
export interface PublicIpDriver {
  /** Pool modes this engine serves. */
  readonly modes: readonly ('routed' | 'bridged')[];
  /** Converges host routes, proxy ARP entries and the instances' addresses (live and in their config) to the plan. */
  apply(plan: PublicIpPlan): Promise<void>;
}
