/**
 * The engine interface: what the control plane asks of a hypervisor, one facet at a time.
 *
 * Every object an engine makes is named or tagged with our resource id, and every method is
 * safe to call twice: a driver looks before it creates and treats "already gone" as done.
 * Slow engines (Proxmox) answer mutations with a task to poll; fast ones (local LXC) finish
 * inside the call and answer null. Differences between engines are capability flags.
 */

import type { BackupDriver } from './backup-types.ts';
import type { ComputeDriver, HostDriver, ImageDriver, UsageDriver } from './compute-types.ts';
import type { FirewallDriver, NetworkDriver, PublicIpDriver } from './network-types.ts';
import type { StorageDriver } from './storage-types.ts';

export type * from './compute-types.ts';
export type * from './network-types.ts';
export type * from './storage-types.ts';

/**
 * An engine failure that retrying cannot fix: a config the hypervisor cannot parse, a file that
 * is missing. Its message is for the operator (it may name host paths and quote tool output).
 */
export class PermanentEngineError extends Error {
  override readonly name = 'PermanentEngineError';
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
