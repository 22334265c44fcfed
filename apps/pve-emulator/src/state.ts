/**
 * What the emulated cluster holds: nodes, storages with their templates, guests with their configs, and the
 * tasks that change them. Handlers read and change it; nothing here speaks HTTP.
 */

/** A node of the cluster; `online` false while it is "gone" (fault injection or a test's doing). */
export interface EmuNode {
  name: string;
  online: boolean;
  maxcpu: number;
  /** Bytes. */
  maxmem: number;
  maxdisk: number;
  bridges: string[];
}

/** A storage, available on every node (as `local` and `local-lvm` are on a fresh install). */
export interface EmuStorage {
  storage: string;
  type: 'dir' | 'lvmthin';
  content: string[];
  /** Bytes. */
  total: number;
  /** Volume ids it holds, e.g. `local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst`. */
  volumes: { volid: string; content: string; size: number }[];
}

/** A container or VM: its config as Proxmox stores it (option → string), power state and node. */
export interface EmuGuest {
  vmid: number;
  type: 'lxc' | 'qemu';
  node: string;
  config: Record<string, string>;
  status: 'running' | 'stopped';
  /** Seconds since epoch of the last start, for `uptime`. */
  startedAt?: number;
}

/** A worker task, addressed by its UPID. */
export interface EmuTask {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  pid: number;
  pstart: number;
  starttime: number;
  status: 'running' | 'stopped';
  exitstatus?: string;
  log: string[];
  /** Status polls still answered "no such task" (a task that is not yet visible, as right after it is issued). */
  hiddenPolls: number;
}

/** The whole cluster. */
export interface ClusterState {
  nodes: Map<string, EmuNode>;
  storages: Map<string, EmuStorage>;
  guests: Map<number, EmuGuest>;
  tasks: Map<string, EmuTask>;
  /** vmids whose config is being held by a running worker (PVE's flock on the config file). */
  busy: Map<number, string>;
  /** SHA-256 fingerprint of the certificate the API serves, as `certificates/info` shows it. */
  fingerprint: string;
}

/** The Debian template a fresh cluster offers, as `pveam download local debian-12-standard…` leaves it. */
export const DEFAULT_TEMPLATE = 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst';

/** Makes a cluster of `count` nodes (`pve1` …) with `local` (dir) and `local-lvm` (lvmthin) storages. */
export function makeCluster(count: number): ClusterState {
  const nodes = new Map<string, EmuNode>();
  for (let i = 1; i <= count; i++) {
    nodes.set(`pve${i}`, { name: `pve${i}`, online: true, maxcpu: 16, maxmem: 64 * 2 ** 30, maxdisk: 100 * 2 ** 30, bridges: ['vmbr0'] });
  }
  const storages = new Map<string, EmuStorage>([
    ['local', { storage: 'local', type: 'dir', content: ['vztmpl', 'iso', 'backup', 'snippets'], total: 100 * 2 ** 30, volumes: [{ volid: DEFAULT_TEMPLATE, content: 'vztmpl', size: 126 * 2 ** 20 }] }],
    ['local-lvm', { storage: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'], total: 1024 * 2 ** 30, volumes: [] }],
  ]);
  return { nodes, storages, guests: new Map(), tasks: new Map(), busy: new Map(), fingerprint: '' };
}

/** Memory of a guest in bytes (LXC `memory`, QEMU `memory`, both MiB; 512 when unset as PVE defaults). */
export function guestMemory(g: EmuGuest): number {
  return Number(g.config.memory ?? 512) * 2 ** 20;
}

/** Cores of a guest (`cores`, 1 when unset for QEMU; LXC uses all, counted as 1 here). */
export function guestCores(g: EmuGuest): number {
  return Number(g.config.cores ?? 1);
}
