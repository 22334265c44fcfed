/**
 * The engine interface: what the control plane asks of a hypervisor, one facet at a time.
 *
 * Every object an engine makes is named or tagged with our resource id, and every method is
 * safe to call twice: a driver looks before it creates and treats "already gone" as done.
 * Slow engines (Proxmox) answer mutations with a task to poll; fast ones (local LXC) finish
 * inside the call and answer null. Differences between engines are capability flags.
 */

import type { BackupDriver } from './backup-types.ts';

/**
 * An engine failure that retrying cannot fix: a config the hypervisor cannot parse, a file that
 * is missing. Its message is for the operator (it may name host paths and quote tool output).
 */
export class PermanentEngineError extends Error {
  override readonly name = 'PermanentEngineError';
}

/** What an engine can do; checked instead of the engine's name. */
export interface EngineCapabilities {
  /** System containers (LXC). */
  containers: boolean;
  /** Virtual machines (QEMU/KVM). */
  virtualMachines: boolean;
  /** Mutations answer a task to poll instead of finishing inside the call. */
  asyncTasks: boolean;
  /** More than one node can hold instances. */
  multiNode: boolean;
  /** Memory and vCPU limits can change while the instance runs. */
  liveResize: boolean;
}

/** A task an engine runs in the background (a Proxmox UPID); local engines never return one. */
export interface TaskRef {
  node: string;
  id: string;
}

/** Where a task stands; `error` is set when it ended in failure. */
export interface TaskState {
  done: boolean;
  error?: string;
}

/** One network interface of an instance, addressed by the control plane's IPAM. */
export interface NicSpec {
  /** Our id of the NIC (`nic_…`), used to name the host side of the link. */
  id: string;
  /** Bridge or vSwitch the NIC plugs into, as the network facet named it. */
  link: string;
  mac: string;
  /** Address with prefix length, e.g. `10.77.0.12/24`. */
  ipv4: string;
  /** IPv6 address with prefix length on a vSwitch with a /64, e.g. `fd12::ff:fe01:2/64`. */
  ipv6?: string;
  gateway?: string;
  /** Limits in Mbit/s into and out of the instance; absent or 0 is unlimited. */
  ingressMbit?: number;
  egressMbit?: number;
}

/** Everything an engine needs to make an instance; derived from the server's spec. */
export interface InstanceSpec {
  /** Our server id (`srv_…`); the engine names its object after it. */
  id: string;
  kind: 'container' | 'vm';
  hostname: string;
  /** Engine-level image name, as `ImageDriver.prepare` returned it. */
  image: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  /** crypt(3) SHA-512 hash for root, so the plain password never reaches the engine. */
  rootPasswordHash?: string;
  sshKeys: string[];
  nics: NicSpec[];
  /** Name servers and search domains of the instance's vSwitches, put before the host's. */
  dns?: { nameservers: string[]; search: string[] };
}

/** The size of an instance, as a plan gives it. */
export interface InstanceLimits {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

/** What an engine reports about one of its instances. */
export interface InstanceObservation {
  state: 'running' | 'stopped';
  node: string;
  /** Engine-level detail worth showing (PID, lock holder …). */
  detail?: string;
  /**
   * What was changed outside Kumulus since the instance was made (an engine with its own GUI, like Proxmox,
   * can tell), in words; absent or empty when nothing was.
   */
  drift?: string[];
  /** A VM that runs without hardware acceleration (software emulation, much slower); absent for containers. */
  emulated?: boolean;
}

/** The compute facet: instances and their power state. */
export interface ComputeDriver {
  readonly capabilities: EngineCapabilities;
  /** Reads the instance named after `id`; null when there is none. */
  inspect(id: string): Promise<InstanceObservation | null>;
  /** Ids of every instance this engine holds for us, to find orphans and drift. */
  list(): Promise<string[]>;
  /** Every instance this engine holds for us with what it observes of it, in one look. */
  observeAll(): Promise<Map<string, InstanceObservation>>;
  /**
   * Calls `onChange` with an instance's id when the engine sees it stop or start by itself, so
   * drift is noticed without looking at every instance; answers a function that stops watching.
   */
  watch(onChange: (id: string) => void): () => void;
  /** Makes the instance (stopped) unless it exists already. */
  create(spec: InstanceSpec): Promise<TaskRef | null>;
  start(id: string): Promise<TaskRef | null>;
  /**
   * Stops the instance; `force` kills instead of asking the guest to shut down. With
   * `askOnly` the guest is asked for `timeoutS` and never killed: the caller inspects after.
   */
  stop(id: string, opts: { force: boolean; askOnly?: boolean; timeoutS?: number }): Promise<TaskRef | null>;
  reboot(id: string): Promise<TaskRef | null>;
  /** Removes the instance and everything made for it; absent is success. */
  destroy(id: string): Promise<TaskRef | null>;
  /**
   * Makes the instance's NICs the ones listed: in its config and the guest's name servers for
   * the next start, and live while it runs (missing ones plugged in, others pulled out, no
   * restart). Safe to repeat, also after a pass cut short.
   */
  setNics(id: string, nics: NicSpec[], dns?: InstanceSpec['dns']): Promise<TaskRef | null>;
  /**
   * Sets CPU and memory limits (live when it runs, capability liveResize) and grows the root
   * disk to `diskGb` (never shrinks); the new limits hold on every later start too.
   */
  resize(id: string, limits: InstanceLimits): Promise<TaskRef | null>;
  /**
   * Replaces the root filesystem of a stopped instance with a fresh clone of `spec.image`,
   * keeping the instance itself (its NICs, attached volumes and everything else in its config).
   */
  rebuild(spec: InstanceSpec): Promise<TaskRef | null>;
  /** Sets root's password hash in the guest, running or stopped. */
  setRootPassword(id: string, hash: string): Promise<TaskRef | null>;
  /** Sets the guest's hostname for every later start, and live while it runs where the engine can. */
  setHostname(id: string, hostname: string): Promise<TaskRef | null>;
  /** Polls a task returned by one of the calls above. */
  task(ref: TaskRef): Promise<TaskState>;
}

/** An image the engine can clone instances from. */
export interface ImageSource {
  /** Our image name (`tiny`, `debian-12`). */
  name: string;
  os: string;
  /** What its instances are; `container` when absent. */
  kind?: 'container' | 'vm';
}

/** The image facet: turns an image into something instances are cloned from, once. */
export interface ImageDriver {
  /** Names of images the engine knows how to build or fetch. */
  available(): ImageSource[];
  /** Makes the image ready (builds and caches it when needed); returns the engine-level name. */
  prepare(name: string): Promise<string>;
  /** True when `prepare` would return at once. */
  isReady(name: string): Promise<boolean>;
}

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

/** Something the host lacks to run instances, with the command that fixes it. */
export interface HostProblem {
  /** Stable id of the check: binary, lxc-include, subid, data-dir, cgroup, bridge, kernel … */
  check: string;
  /** What is missing or wrong: a command, a file, a directory. */
  subject: string;
  /** What is wrong, for the operator (may name host paths). */
  message: string;
  fix: string;
  /**
   * The images whose instances cannot start because of it; absent when no instance can, empty
   * when it blocks none (a limit that caps how many instances run).
   */
  images?: string[];
}

/** The host facet: whether the engine's host can run instances at all. */
export interface HostDriver {
  /** Checks what instances need (tools, files, id ranges, kernel features); empty when all is there. */
  preflight(): Promise<HostProblem[]>;
}

/** What a storage backend can do; checked instead of the backend's name. */
export interface StorageCapabilities {
  /** Point-in-time snapshots with rollback. */
  snapshots: boolean;
  /** Space is taken as data is written, not when the volume is made. */
  thin: boolean;
  /** A volume can grow while it is attached and mounted. */
  onlineGrow: boolean;
  /** Throughput and IOPS limits per volume (cgroup throttling on its block device). */
  qos: boolean;
}

/** Filesystems a volume can be formatted with. */
export type VolumeFormat = 'ext4' | 'xfs';

/** Everything a storage backend needs to make a volume; derived from the volume's spec. */
export interface VolumeSpec {
  /** Our volume id (`vol_…`); the backend names its object after it. */
  id: string;
  sizeGb: number;
  format: VolumeFormat;
}

/** Where a volume is attached: an instance and the path inside it. */
export interface VolumeAttachment {
  /** Our server id (`srv_…`). */
  instance: string;
  /** Absolute path inside the instance where the filesystem is mounted. */
  path: string;
}

/** Throughput and IOPS limits of a volume; an absent or 0 field is unlimited. */
export interface VolumeQos {
  readBytesPerSec?: number;
  writeBytesPerSec?: number;
  readIops?: number;
  writeIops?: number;
}

/** What a storage driver reports about one of its volumes. */
export interface VolumeObservation {
  sizeBytes: number;
  /** Space the volume really takes on the backend (less than its size when thin or sparse). */
  usedBytes: number;
  format: VolumeFormat;
  attachments: VolumeAttachment[];
}

/** Space of a backend, for free-space checks before a volume is accepted. */
export interface StorageCapacity {
  totalBytes: number;
  freeBytes: number;
}

/** The storage facet: block volumes on one backend, attached to instances as filesystems. */
export interface StorageDriver {
  /** The backend's registry name (`dir`, `lvm-thin`). */
  readonly backend: string;
  readonly capabilities: StorageCapabilities;
  capacity(): Promise<StorageCapacity>;
  /** Reads the volume named after `id`; null when there is none. */
  inspect(id: string): Promise<VolumeObservation | null>;
  /** Ids of every volume this backend holds for us. */
  list(): Promise<string[]>;
  /** Makes and formats the volume unless it exists already; a failure leaves nothing half-made. */
  create(spec: VolumeSpec): Promise<TaskRef | null>;
  /** Mounts the volume into the instance at `path` (live when it runs, and on every start). */
  attach(id: string, to: VolumeAttachment): Promise<TaskRef | null>;
  /** Unmounts the volume from the instance; not attached is success. */
  detach(id: string, instance: string): Promise<TaskRef | null>;
  /** Sets the volume's I/O limits, live on the instance it is attached to and on every start (capability qos). */
  limit(id: string, qos: VolumeQos): Promise<TaskRef | null>;
  /** Grows the volume and its filesystem to `sizeGb`, mounted or not; never shrinks. */
  grow(id: string, sizeGb: number): Promise<TaskRef | null>;
  /** Removes the volume (detaching it first) and its snapshots; absent is success. */
  destroy(id: string): Promise<TaskRef | null>;
  /**
   * Takes a consistent snapshot `snapshotId` of a server's root disk or of a volume: the guest
   * using it is frozen (and its filesystem flushed) only for the moment of the copy, and thawed
   * also when the copy fails. Taking one that exists changes nothing (capability snapshots).
   */
  snapshot(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /** Reads a complete snapshot; null when there is none. */
  inspectSnapshot(target: SnapshotTarget, snapshotId: string): Promise<SnapshotObservation | null>;
  /** Ids of the complete snapshots of one target. */
  listSnapshots(target: SnapshotTarget): Promise<string[]>;
  /** Removes a snapshot; absent is success. */
  removeSnapshot(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /**
   * Puts the target back to the snapshot's bytes; the server using it (the server itself, or the
   * one the volume is attached to) is stopped around it and started again when it ran.
   */
  rollback(target: SnapshotTarget, snapshotId: string): Promise<TaskRef | null>;
  /**
   * Sets the I/O limits of a server's root disk (its block device), live when it runs and at
   * every start; empty lifts them (capability qos).
   */
  limitRootDisk(instance: string, qos: VolumeQos): Promise<TaskRef | null>;
  /** Makes a new detached volume `volumeId` from a snapshot (of a volume or of a root disk). */
  cloneSnapshot(target: SnapshotTarget, snapshotId: string, volumeId: string): Promise<TaskRef | null>;
}

/** What a snapshot is of: a server's root disk or a volume, by our id. */
export interface SnapshotTarget {
  kind: 'server' | 'volume';
  id: string;
}

/** What a storage driver reports about one snapshot. */
export interface SnapshotObservation {
  /** The size of the disk it holds. */
  sizeBytes: number;
  /** Space it really takes on the backend (allocated blocks; shared extents count in full). */
  usedBytes: number;
  /** When it was taken (ms since the epoch). */
  takenAt: number;
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

/** One engine: its facets, held in the registry under a name. */
export interface Engine {
  name: string;
  compute: ComputeDriver;
  images: ImageDriver;
  network: NetworkDriver;
  storage: StorageDriver;
  host: HostDriver;
  /** Public IPs routed to instances; absent on engines that have none. */
  publicIps?: PublicIpDriver;
  /** Per-NIC firewalls and anti-spoofing; engines without one leave it out. */
  firewall?: FirewallDriver;
  /** What running instances use (CPU, memory, disk I/O), for metrics; engines that cannot tell leave it out. */
  usage?: UsageDriver;
  /** Backups of servers' disks to backup targets; engines without one leave it out. */
  backup?: BackupDriver;
}

/** One running instance's usage: counters since it started, memory now. */
export interface InstanceUsage {
  cpuSeconds: number;
  memoryBytes: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  diskReads: number;
  diskWrites: number;
}

/** The usage facet: read by the metrics endpoint on every scrape. */
export interface UsageDriver {
  /** Usage of those of `ids` that run now; stopped or unknown ones are left out. */
  instances(ids: string[]): Promise<Map<string, InstanceUsage>>;
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
