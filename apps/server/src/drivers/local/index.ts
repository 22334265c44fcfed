/**
 * The local engine: the Debian host Kumulus runs on, with unprivileged LXC containers,
 * a Linux bridge and an nftables table of our own.
 */
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '../types.ts';
import { createLocalBackup } from './backup.ts';
import { createLocalCompute, type LocalCompute } from './compute.ts';
import { createLocalFirewall } from './firewall.ts';
import { createLocalImages, IMAGE_INCLUDES } from './images.ts';
import { createLocalNetwork } from './network.ts';
import { preflight } from './preflight.ts';
import { createLocalPublicIps } from './public-ip.ts';
import type { IdMap } from './rootfs.ts';
import { createLocalStorage } from './storage.ts';
import { createLocalUsage } from './usage.ts';
import { checkVolumeId } from './storage/backend.ts';
import { createBackend } from './storage/registry.ts';
import { createVmCompute } from './vm/vm-compute.ts';
import { createVmImages } from './vm/vm-images.ts';
import { createFileSnapshots } from './storage/snapshot-files.ts';

/** Options of the local engine; names are given so parallel engines never collide. */
export interface LocalEngineOptions {
  /** Where instance containers live, e.g. `<data-dir>/lxc`. */
  lxcPath: string;
  /** Machine-wide cache of prepared images, shared by every engine on the host. */
  imageCache?: string;
  /** Linux bridge of the default network (≤15 characters). */
  bridge: string;
  /** Name of our nftables table (family inet). */
  nftTable: string;
  /** Node name reported in observations; the host name by default. */
  node?: string;
  /** Host id range for the containers' user namespace; must be in /etc/subuid and /etc/subgid. */
  idmap?: IdMap;
  /** vSwitch state (dnsmasq files), one directory per network; `<lxcPath>/../net` by default. */
  netPath?: string;
  /** Debian mirror for debootstrap; found in the host's apt sources by default. */
  mirror?: string;
  /**
   * The storage backend of this host and its settings (storage/registry.ts); by default `dir`
   * with its image files in `volumes/` beside lxcPath.
   */
  storage?: { backend: string; config: Record<string, string> };
  /** Where attached volumes are mounted on the host; `volume-mounts/` beside lxcPath by default. */
  volumeMountRoot?: string;
  /** Where VMs live (disk, seed, sockets per VM); `vm/` beside lxcPath by default. */
  vmPath?: string;
}

/** The default image cache: one per machine, so the slow Debian build happens once. */
export const DEFAULT_IMAGE_CACHE = '/var/cache/kumulus/images';

/** Creates the local engine. */
export function createLocalEngine(opts: LocalEngineOptions): Engine {
  const idmap = opts.idmap ?? { base: 100_000, size: 65_536 };
  const imageCache = opts.imageCache ?? DEFAULT_IMAGE_CACHE;
  const containerImages = createLocalImages({ imageCache, idmap, mirror: opts.mirror });
  const vmImages = createVmImages({ imageCache, mirror: opts.mirror });
  // One image facet for both kinds: VM image names go to the VM half.
  const images = {
    ...containerImages,
    available: () => [...containerImages.available(), ...vmImages.available()],
    prepare: (name: string) => (vmImages.knows(name) ? vmImages.prepare(name) : containerImages.prepare(name)),
    isReady: (name: string) => (vmImages.knows(name) ? vmImages.isReady(name) : containerImages.isReady(name)),
  };
  const base = dirname(opts.lxcPath);
  const { backend, config } = opts.storage ?? { backend: 'dir', config: { path: join(base, 'volumes') } };
  let compute: LocalCompute | null = null;
  const volumeBackend = createBackend(backend, config);
  const instances = () => {
    if (!compute) throw new Error('the compute facet is not made yet');
    return compute;
  };
  const mountRoot = opts.volumeMountRoot ?? join(base, 'volume-mounts');
  const storage = createLocalStorage({
    backend: volumeBackend,
    lxcPath: opts.lxcPath,
    mountRoot,
    snapshotRoot: join(base, 'snapshots'),
    idmap,
    instances,
  });
  const node = opts.node ?? hostname();
  const vms = createVmCompute({ vmPath: opts.vmPath ?? join(base, 'vm'), images: vmImages, node });
  const serverSnapshots = createFileSnapshots(join(base, 'snapshots'));
  compute = createLocalCompute({ lxcPath: opts.lxcPath, images, idmap, node, beforeStart: storage.prepareInstance, vms, snapshotImage: serverSnapshots.fileOf });
  return {
    name: 'local',
    compute,
    images,
    network: createLocalNetwork({ bridge: opts.bridge, nftTable: opts.nftTable, netPath: opts.netPath ?? join(dirname(opts.lxcPath), 'net') }),
    storage,
    publicIps: createLocalPublicIps({ lxcPath: opts.lxcPath, bridge: opts.bridge, nftTable: opts.nftTable }),
    firewall: createLocalFirewall(`${opts.nftTable}_fw`),
    usage: createLocalUsage(opts.lxcPath),
    backup: createLocalBackup({
      root: join(base, 'backup'),
      lxcPath: opts.lxcPath,
      storage,
      serverSnapshots,
      backend: volumeBackend,
      instances,
      markerDir: mountRoot,
      hostMount: (id) => join(mountRoot, checkVolumeId(id)),
      isRunning: async (id) => (await instances().inspect(id))?.state === 'running',
    }),
    host: {
      preflight: async () => preflight({ dirs: [opts.lxcPath, imageCache], idmap, bridge: opts.bridge, imageIncludes: IMAGE_INCLUDES, vmImages: vmImages.available().map((i) => i.name) }),
    },
  };
}
