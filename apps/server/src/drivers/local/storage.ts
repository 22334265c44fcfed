/**
 * The local storage facet: volumes of one backend (registry in storage/registry.ts), each
 * mounted on the host under `mountRoot` while attached, bound into its container by a line of
 * the container's LXC config (so it is there on every start) and mounted live into a running
 * one. Every call is idempotent; what is attached is read back from the configs.
 */
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageDriver, VolumeAttachment, VolumeObservation, VolumeQos } from '../types.ts';
import { type CgroupVersion, detectCgroupVersion } from './cgroups.ts';
import { run } from './exec.ts';
import { lxcInfo } from './lxc.ts';
import { instancePaths, writeConfigFile } from './instance-files.ts';
import { loopsOf, mountsUnder } from './mounts.ts';
import type { IdMap } from './rootfs.ts';
import { createSnapshotMethods, type InstanceControl } from './storage-snapshots.ts';
import { checkVolumeId, type VolumeBackend } from './storage/backend.ts';
import { growFilesystem, makeFilesystem } from './storage/format.ts';
import { guestHasMount, guestMount, guestUnmount } from './storage/guest-mounts.ts';
import { checkGuestPath, entriesOf, entryLine, withoutEntry } from './storage/mount-entries.ts';
import { applyQosLive, deviceNumber, isQosLine, qosConfigLines } from './storage/qos.ts';

/** Options of the local storage facet. */
export interface LocalStorageOptions {
  backend: VolumeBackend;
  lxcPath: string;
  /** Where attached volumes are mounted on the host, one directory per volume. */
  mountRoot: string;
  idmap: IdMap;
  cgroup?: CgroupVersion;
  /** Where snapshots of servers' root disks live. */
  snapshotRoot: string;
  /** The compute facet's locks and stop/start, for snapshots and rollbacks (set once compute exists). */
  instances: () => InstanceControl;
}

/** The local storage facet, plus what the compute facet asks of it before a start. */
export interface LocalStorage extends StorageDriver {
  /** Mounts on the host every volume the instance's config binds, so LXC finds them at start. */
  prepareInstance(instance: string): Promise<void>;
}

/** Guards paths built from server ids. */
function checkInstanceId(id: string): string {
  if (!/^srv_[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a server id: ${id}`);
  return id;
}

/** Creates the storage facet over one backend and one lxcPath. */
export function createLocalStorage(opts: LocalStorageOptions): LocalStorage {
  const { backend, lxcPath, mountRoot, idmap } = opts;
  const hostMount = (id: string) => join(mountRoot, checkVolumeId(id));
  const configOf = (instance: string) => join(lxcPath, instance, 'config');
  const locks = new Map<string, Promise<unknown>>();
  const cgroup = opts.cgroup ?? detectCgroupVersion();
  const qosFile = (id: string) => join(mountRoot, `.${checkVolumeId(id)}.qos.json`);
  const readQos = async (id: string): Promise<VolumeQos> => JSON.parse(await readFile(qosFile(id), 'utf8').catch(() => '{}'));
  // A server's root disk limits live in its instance dir, so they go with the instance.
  const rootQosFile = (instance: string) => join(lxcPath, checkInstanceId(instance), 'root-qos.json');
  const readRootQos = async (instance: string): Promise<VolumeQos> => JSON.parse(await readFile(rootQosFile(instance), 'utf8').catch(() => '{}'));
  /** The loop device of the instance's root disk while it is mounted; null otherwise. */
  const rootDevice = async (instance: string) => (await loopsOf(instancePaths(join(lxcPath, checkInstanceId(instance))).image))[0] ?? null;

  /**
   * Renders the throttle lines of every volume the instance's config binds, with each device's
   * current number; the volumes must be active (mounted on the host).
   */
  async function renderQos(instance: string): Promise<void> {
    await serialized(`config:${instance}`, async () => {
      const text = await readFile(configOf(instance), 'utf8').catch(() => null);
      if (text === null) return;
      const lines = text.split('\n').filter((l) => !isQosLine(l) && l !== '');
      for (const e of entriesOf(text, mountRoot)) {
        const qos = await readQos(e.volume);
        lines.push(...qosConfigLines(cgroup, await deviceNumber(await backend.activate(e.volume)), qos));
      }
      const root = await rootDevice(instance);
      if (root) lines.push(...qosConfigLines(cgroup, await deviceNumber(root), await readRootQos(instance)));
      const next = lines.join('\n') + '\n';
      if (next !== text) await writeConfigFile(configOf(instance), next);
    });
  }

  /** Applies the volume's limits (or none) to the running instance it is bound into. */
  async function applyLive(id: string, instance: string, qos: VolumeQos): Promise<void> {
    const pid = await runningPid(instance);
    if (pid) await applyQosLive(cgroup, pid, await deviceNumber(await backend.activate(id)), qos);
  }

  /** One mutation per key (a volume, an instance's config) at a time inside this process. */
  function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    locks.set(key, next);
    void next.finally(() => locks.get(key) === next && locks.delete(key)).catch(() => {});
    return next;
  }

  /** Every instance config that binds `id`, with the guest path. */
  async function bindingsOf(id: string): Promise<VolumeAttachment[]> {
    if (!existsSync(lxcPath)) return [];
    const out: VolumeAttachment[] = [];
    for (const instance of await readdir(lxcPath)) {
      if (!instance.startsWith('srv_')) continue;
      const text = await readFile(configOf(instance), 'utf8').catch(() => '');
      for (const e of entriesOf(text, mountRoot)) if (e.volume === id) out.push({ instance, path: e.path });
    }
    return out;
  }

  /** The init PID of a running instance; null when it is stopped or absent. */
  async function runningPid(instance: string): Promise<number | null> {
    const info = await lxcInfo(lxcPath, instance);
    return info && info.state === 'RUNNING' ? info.pid : null;
  }

  /** Activates the volume and mounts it on the host; answers its block device. */
  async function mountOnHost(id: string): Promise<string> {
    const device = await backend.activate(id);
    const dir = hostMount(id);
    if (!(await mountsUnder(dir)).includes(dir)) {
      await mkdir(mountRoot, { recursive: true, mode: 0o711 });
      await mkdir(dir, { recursive: true, mode: 0o711 });
      await run('mount', ['-o', 'noatime', device, dir]);
    }
    // A fresh filesystem's root belongs to the host's root, which the guest sees as nobody.
    if ((await stat(dir)).uid === 0) await chown(dir, idmap.base, idmap.base);
    return device;
  }

  /** Unmounts the volume from the host and releases its device. */
  async function unmountFromHost(id: string): Promise<void> {
    const dir = hostMount(id);
    if ((await mountsUnder(dir)).includes(dir)) {
      const r = await run('umount', [dir], { allowFail: true });
      if (r.code !== 0) await run('umount', ['-l', dir]);
    }
    await backend.deactivate(id);
    if (existsSync(dir)) await rmdir(dir);
  }

  async function attach(id: string, to: VolumeAttachment): Promise<void> {
    checkGuestPath(to.path);
    if (!existsSync(configOf(to.instance))) throw new Error(`instance ${to.instance} does not exist`);
    const others = (await bindingsOf(id)).filter((b) => b.instance !== to.instance || b.path !== to.path);
    if (others.length > 0) throw new Error(`volume ${id} is attached to ${others[0]?.instance} at ${others[0]?.path}`);
    const device = await mountOnHost(id);
    await serialized(`config:${to.instance}`, async () => {
      const text = await readFile(configOf(to.instance), 'utf8');
      const mine = entriesOf(text, mountRoot).find((e) => e.volume === id);
      if (!mine) await writeConfigFile(configOf(to.instance), text.replace(/\n?$/, '\n') + entryLine(mountRoot, { volume: id, path: to.path }) + '\n');
    });
    await renderQos(to.instance);
    const pid = await runningPid(to.instance);
    if (pid) {
      await guestMount(lxcPath, to.instance, pid, device, to.path);
      await applyLive(id, to.instance, await readQos(id));
    }
  }

  async function detach(id: string, instance: string): Promise<void> {
    for (const b of (await bindingsOf(id)).filter((x) => x.instance === instance)) {
      // Live first, config second: a kill in between leaves a binding the next call finds.
      const pid = await runningPid(instance);
      if (pid) {
        await guestUnmount(pid, b.path);
        // The device's number may go to another volume next: its limits must not follow.
        await applyLive(id, instance, {});
      }
      await serialized(`config:${instance}`, async () => {
        const text = await readFile(configOf(instance), 'utf8');
        await writeConfigFile(configOf(instance), withoutEntry(text, mountRoot, id));
      });
      await renderQos(instance);
    }
    if ((await bindingsOf(id)).length === 0) await unmountFromHost(id);
  }

  /** Attachments that are in force: bound in the config, and mounted live when the guest runs. */
  async function effectiveAttachments(id: string): Promise<VolumeAttachment[]> {
    const out: VolumeAttachment[] = [];
    for (const b of await bindingsOf(id)) {
      const pid = await runningPid(b.instance);
      if (!pid || (await guestHasMount(pid, b.path))) out.push(b);
    }
    return out;
  }

  const snapshots = createSnapshotMethods({
    backend,
    lxcPath,
    snapshotRoot: opts.snapshotRoot,
    markerDir: mountRoot,
    instances: opts.instances,
    hostMount,
    bindingsOf,
    runningPid,
    unmountFromHost,
    serialized,
  });

  return {
    ...snapshots,
    backend: backend.name,
    capabilities: backend.capabilities,
    capacity: () => backend.capacity(),
    async inspect(id): Promise<VolumeObservation | null> {
      const v = await backend.inspect(checkVolumeId(id));
      return v ? { ...v, attachments: await effectiveAttachments(id) } : null;
    },
    list: () => backend.list(),
    create: (spec) =>
      serialized(spec.id, () => backend.create(spec, (device) => makeFilesystem(device, spec.format, idmap.base))).then(() => null),
    attach: (id, to) => serialized(id, () => attach(id, to)).then(() => null),
    detach: (id, instance) => serialized(id, () => detach(id, instance)).then(() => null),
    limit: (id, qos) =>
      serialized(id, async () => {
        if (!(await backend.inspect(checkVolumeId(id)))) throw new Error(`volume ${id} does not exist`);
        await mkdir(mountRoot, { recursive: true, mode: 0o711 });
        await writeFile(qosFile(id), JSON.stringify(qos));
        for (const b of await bindingsOf(id)) {
          await renderQos(b.instance);
          await applyLive(id, b.instance, qos);
        }
      }).then(() => null),
    grow: (id, sizeGb) =>
      serialized(id, async () => {
        const v = await backend.inspect(checkVolumeId(id));
        if (!v) throw new Error(`volume ${id} does not exist`);
        if (v.sizeBytes > sizeGb * 1024 ** 3) throw new Error(`volume ${id} is larger than ${sizeGb} GB; volumes never shrink`);
        await backend.grow(id, sizeGb * 1024 ** 3);
        const attached = (await bindingsOf(id)).length > 0;
        if (v.format === 'ext4' && !attached) {
          // A detached ext4 volume grows offline, which needs no more privilege than mkfs.
          await unmountFromHost(id);
          await growFilesystem(await backend.activate(id), null, 'ext4');
          await backend.deactivate(id);
          return;
        }
        // xfs grows only while mounted: a detached volume is mounted on the host for it.
        const device = await mountOnHost(id);
        try {
          await growFilesystem(device, hostMount(id), v.format);
        } finally {
          if (!attached) await unmountFromHost(id);
        }
      }).then(() => null),
    destroy: (id) =>
      serialized(id, async () => {
        for (const b of await bindingsOf(id)) await detach(id, b.instance);
        await unmountFromHost(id);
        await backend.remove(id);
        await backend.snapshots?.removeAll(id);
        await rm(qosFile(id), { force: true });
      }).then(() => null),
    async limitRootDisk(instance, qos) {
      if (!existsSync(configOf(instance))) throw new Error(`instance ${instance} does not exist`);
      await writeFile(rootQosFile(instance), JSON.stringify(qos));
      await renderQos(instance);
      const pid = await runningPid(instance);
      const root = await rootDevice(instance);
      if (pid && root) {
        await applyQosLive(cgroup, pid, await deviceNumber(root), qos).catch(async (err) => {
          // Stopped (or deleted) between the look and the write: the config applies at its next start.
          if ((await runningPid(instance).catch(() => null)) === pid) throw err;
        });
      }
      return null;
    },
    async prepareInstance(instance) {
      const text = await readFile(configOf(instance), 'utf8').catch(() => '');
      for (const e of entriesOf(text, mountRoot)) await serialized(e.volume, () => mountOnHost(e.volume));
      await renderQos(instance);
    },
  };
}
