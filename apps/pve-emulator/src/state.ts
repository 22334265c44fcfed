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
  type: 'dir' | 'lvmthin' | 'rbd';
  content: string[];
  /** The same volumes on every node (Ceph RBD, NFS): a VM on it may be cloned to another node. */
  shared?: boolean;
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
  /** Changes a running guest cannot take live, applied at its next start (`GET …/pending`). */
  pending?: Record<string, string>;
  /** Options whose removal waits for the next start. */
  pendingDelete?: string[];
  /** Snapshots by name: the config as it was (PVE keeps it in a `[name]` section of the config file). */
  snapshots?: Map<string, EmuSnapshot>;
  /** Its firewall options (`<vmid>.fw`), as set. */
  firewall?: Record<string, string | number>;
  /** Bytes into and out of the guest over all its veths since it started (`netin`/`netout`). */
  netin?: number;
  netout?: number;
}

/** A guest snapshot: when it was taken, its description, and the config at that moment. */
export interface EmuSnapshot {
  name: string;
  snaptime: number;
  description: string;
  config: Record<string, string>;
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
  /** The datacenter's firewall options (cluster.fw); a fresh cluster has the firewall off. */
  firewall: Record<string, string | number>;
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
  const guests = new Map<number, EmuGuest>();
  // A cloud-init VM template per node (as `qm template` leaves one made from Debian's genericcloud image), on local
  // storage, so each node clones its own; vmids 9001 … as many clusters number their templates.
  for (let i = 1; i <= count; i++) {
    const vmid = 9000 + i;
    storages.get('local-lvm')!.volumes.push({ volid: `local-lvm:base-${vmid}-disk-0`, content: 'images', size: 3 * 2 ** 30 });
    guests.set(vmid, {
      vmid,
      type: 'qemu',
      node: `pve${i}`,
      status: 'stopped',
      config: { name: VM_TEMPLATE_NAME, template: '1', ostype: 'l26', cores: '1', memory: '1024', scsihw: 'virtio-scsi-pci', scsi0: `local-lvm:base-${vmid}-disk-0,size=3G`, ide2: 'local-lvm:cloudinit,media=cdrom', net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0', boot: 'order=scsi0', serial0: 'socket', vga: 'serial0', agent: '1' },
    });
  }
  return { nodes, storages, guests, tasks: new Map(), busy: new Map(), fingerprint: '', firewall: { enable: 0, policy_in: 'DROP', policy_out: 'ACCEPT' } };
}

/** The name of the cloud-init VM template a fresh emulated cluster has on each node. */
export const VM_TEMPLATE_NAME = 'debian-12-vm';

/** Storage types whose volumes can be snapshotted (PVE::Storage volume_has_feature 'snapshot' for raw/subvol). */
export const SNAPSHOT_STORAGE_TYPES = new Set(['lvmthin', 'zfspool', 'rbd', 'btrfs']);

/**
 * Allocates a volume for a guest as PVE names it (`STORAGE:vm-VMID-disk-N`, N the lowest free) and answers its
 * volid; a storage that is missing or holds no container volumes fails as PVE's does.
 */
export function allocVolume(state: ClusterState, storeId: string, vmid: number, sizeBytes: number): string {
  const store = state.storages.get(storeId);
  if (!store) throw new Error(`storage '${storeId}' does not exist`);
  if (!store.content.includes('rootdir')) throw new Error(`storage '${storeId}' does not support container directories`);
  const used = store.volumes.reduce((a, v) => a + v.size, 0);
  if (used + sizeBytes > store.total) throw new Error(`no space left on storage '${storeId}'`);
  let n = 0;
  while (store.volumes.some((v) => v.volid === `${storeId}:vm-${vmid}-disk-${n}`)) n++;
  const volid = `${storeId}:vm-${vmid}-disk-${n}`;
  store.volumes.push({ volid, content: 'rootdir', size: sizeBytes });
  return volid;
}

/** Frees a volume; an unknown one is no error (PVE's vdisk_free of a gone volume warns only). */
export function freeVolume(state: ClusterState, volid: string): void {
  const store = state.storages.get(volid.split(':')[0] ?? '');
  if (store) store.volumes = store.volumes.filter((v) => v.volid !== volid);
}

/** The volume of a mount point option (`local-lvm:vm-100-disk-0,mp=/x,size=1G` → `local-lvm:vm-100-disk-0`). */
export function volumeOf(option: string): string {
  const first = option.split(',')[0] ?? '';
  return first.startsWith('volume=') ? first.slice(7) : first;
}

/** Memory of a guest in bytes (LXC `memory`, QEMU `memory`, both MiB; 512 when unset as PVE defaults). */
export function guestMemory(g: EmuGuest): number {
  return Number(g.config.memory ?? 512) * 2 ** 20;
}

/** Cores of a guest (`cores`, 1 when unset for QEMU; LXC uses all, counted as 1 here). */
export function guestCores(g: EmuGuest): number {
  return Number(g.config.cores ?? 1);
}
