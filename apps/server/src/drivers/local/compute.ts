/**
 * The local compute facet: unprivileged LXC containers named by our server id, each an overlay
 * clone of a prepared image. Every call finishes inside the call (no tasks) and is idempotent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ComputeDriver, type InstanceObservation, type InstanceSpec, type NicSpec, PermanentEngineError } from '../types.ts';
import { type CgroupVersion, detectCgroupVersion } from './cgroups.ts';
import { nicsInConfig, ratesInConfig, vethNamesInConfig, withNics } from './config.ts';
import { applyNicRate, removeNicRate } from './nic-rate.ts';
import type { LocalImages } from './images.ts';
import { setInstanceHostname } from './instance-hostname.ts';
import { instancePaths, makeInstance, writeConfigFile, mountInstanceDisk, removeInstanceDir } from './instance-files.ts';
import { pidAlive } from './lock.ts';
import { lxcInfo, lxcRequestReboot, lxcStart, lxcStop, lxcWait } from './lxc.ts';
import { unmountUnder } from './mounts.ts';
import { announceNeighbours, deleteLink, forgetNeighbours, vethName } from './network.ts';
import { plugNic, readGuestNet, unplugNic } from './nic-hotplug.ts';
import { guestResolvConf, withNetworkDns } from './resolv.ts';
import { writeGuestFile } from './rootfs.ts';
import { applyLimits, finishPendingGrow, growRootDisk, lowerDirOf, rebuildInstance, setGuestRootHash } from './instance-life.ts';
import { startTrace } from '../../lib/trace.ts';
import { lxcObserveAll, watchLinkDeletions, watchLxc } from './observe.ts';
import type { IdMap } from './rootfs.ts';
import type { InstanceControl } from './storage-snapshots.ts';
import type { VmCompute } from './vm/vm-compute.ts';

/** A recorded limit as NIC fields, absent where there is none. */
const rateOf = (r: { ingressMbit: number; egressMbit: number } | undefined) => ({ ...(r?.ingressMbit ? { ingressMbit: r.ingressMbit } : {}), ...(r?.egressMbit ? { egressMbit: r.egressMbit } : {}) });

/** Thrown when a call needs an instance that does not exist. */
export class InstanceNotFoundError extends Error {
  readonly code = 'INSTANCE_NOT_FOUND';
}

/** Options of the local compute facet. */
export interface LocalComputeOptions {
  lxcPath: string;
  images: LocalImages;
  idmap: IdMap;
  node: string;
  /** Seconds a guest gets to shut down before it is killed. */
  stopTimeoutS?: number;
  cgroup?: CgroupVersion;
  /** Runs before every start: mounts on the host what the instance's config binds (volumes). */
  beforeStart?: (id: string) => Promise<void>;
  /** The VM half: instances of kind `vm` (and ids it holds) go there; absent, the engine makes containers only. */
  vms?: VmCompute;
  /** The image file of a server snapshot (storage's), for instances made from one. */
  snapshotImage?: (server: string, snapshot: string) => string;
}

/** How often VMs are looked at for starts and stops of their own (QEMU has no event stream we keep open). */
const VM_WATCH_MS = 2000;

/** How often a shutdown or reboot request is repeated while the guest has not reacted. */
const SIGNAL_RETRY_S = 2;
const ID = /^srv_[A-Za-z0-9_-]+$/;
/** Staging and trash dirs carry the PID of the process working on them. */
const SCRATCH = /^\.(srv_[A-Za-z0-9_-]+)\.(creating|deleting)-(\d+)$/;

/** The local compute facet, plus its locks and stop/start lent to storage for snapshots and rollbacks. */
export type LocalCompute = ComputeDriver & InstanceControl;

/** Creates the compute facet over one lxcPath. */
export function createLocalCompute(opts: LocalComputeOptions): LocalCompute {
  const { lxcPath, node } = opts;
  const cgroup = opts.cgroup ?? detectCgroupVersion();
  const dirOf = (id: string) => join(lxcPath, checkId(id));
  const locks = new Map<string, Promise<unknown>>();
  // Instances this process has just made and not touched since: a start right after the create
  // knows they are stopped and spares the lxc-info spawn (one use; any other change forgets it).
  const justMade = new Set<string>();
  // The init process of each instance lxc-info last saw running, with its start time: while
  // that very process lives the instance runs (STOPPING and FROZEN count as running too), so
  // inspect and setNics answer from /proc instead of spawning lxc-info on every pass. Once it
  // is gone (stopped, rebooted, killed behind our back) lxc-info is asked again.
  const running = new Map<string, { pid: number; started: string }>();
  const startTimeOf = async (pid: number) => (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).replace(/^.*\) /s, '').split(' ')[19] ?? '';
  const recentInfo = async (id: string): Promise<{ state: string; pid: number | null } | null> => {
    const known = running.get(id);
    if (known && (await startTimeOf(known.pid)) === known.started && existsSync(join(dirOf(id), 'config'))) return { state: 'RUNNING', pid: known.pid };
    running.delete(id);
    const info = await lxcInfo(lxcPath, id);
    if (info?.state === 'RUNNING' && info.pid) {
      const started = await startTimeOf(info.pid);
      if (started) running.set(id, { pid: info.pid, started });
    }
    return info;
  };
  const forget = <T>(id: string, fn: () => Promise<T>) => {
    justMade.delete(id);
    return fn();
  };
  const stopTimeoutS = opts.stopTimeoutS ?? 30;
  const vms = opts.vms;
  /** The VM facet when `id` is one of its VMs: calls on it go there instead of to LXC. */
  const vmOf = (id: string) => (vms?.has(id) ? vms : null);

  /** One mutation per instance at a time inside this process. */
  function serialized<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(id) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    locks.set(id, next);
    void next.finally(() => locks.get(id) === next && locks.delete(id)).catch(() => {});
    return next;
  }

  /** Removes staging/trash dirs of processes that died (SIGKILL) or of this id in this process. */
  async function sweep(id: string): Promise<void> {
    for (const entry of await readdir(lxcPath)) {
      const m = SCRATCH.exec(entry);
      if (!m) continue;
      const pid = Number(m[3]);
      if (!pidAlive(pid) || (pid === process.pid && m[1] === id)) await removeInstanceDir(join(lxcPath, entry));
    }
  }

  async function requireState(id: string) {
    const info = await lxcInfo(lxcPath, id);
    if (!info) throw new InstanceNotFoundError(`instance ${id} does not exist`);
    return info;
  }

  async function start(id: string) {
    const vm = vmOf(id);
    if (vm) return vm.start(id);
    if (!justMade.delete(id) && (await requireState(id)).state === 'RUNNING') return;
    await finishPendingGrow(dirOf(id));
    await mountInstanceDisk(dirOf(id));
    await opts.beforeStart?.(id);
    const config = await readFile(instancePaths(dirOf(id)).config, 'utf8');
    // The host learns the instance's MACs while LXC starts it, not from a stale entry later.
    await Promise.all([lxcStart(lxcPath, id), announceNeighbours(nicsInConfig(config))]);
    // LXC made the veths just now: they carry no qdisc yet.
    for (const r of ratesInConfig(config)) await applyNicRate(r.veth, r);
  }

  async function stop(id: string, force: boolean, askOnly = false, timeoutS = stopTimeoutS) {
    const vm = vmOf(id);
    if (vm) return vm.stop(id, force, askOnly, timeoutS);
    const info = await requireState(id);
    const deadline = Date.now() + timeoutS * 1000;
    if (!force) {
      // A halt signal that reaches systemd before it installed its handlers is lost, so ask
      // again every few seconds instead of once; only at the deadline is the guest killed.
      let state = info.state;
      while (state !== 'STOPPED' && Date.now() < deadline) {
        const t = Math.max(1, Math.min(SIGNAL_RETRY_S, Math.ceil((deadline - Date.now()) / 1000)));
        await lxcStop(lxcPath, id, { kill: false, timeoutS: t, nokill: true });
        state = (await lxcInfo(lxcPath, id))?.state ?? 'STOPPED';
      }
      // A shutdown only asks: a guest still up at the deadline keeps running, and the caller sees it.
      if (askOnly && state !== 'STOPPED') return;
    }
    if ((await lxcInfo(lxcPath, id))?.state !== 'STOPPED') await lxcStop(lxcPath, id, { kill: true });
    // The disk stays mounted only while needed; the guest's mount namespace is gone now.
    await unmountUnder(instancePaths(dirOf(id)).mnt);
    // The veths went with the guest; the IFB devices of their rate limits would stay behind.
    const config = await readFile(instancePaths(dirOf(id)).config, 'utf8').catch(() => '');
    for (const veth of vethNamesInConfig(config)) await removeNicRate(veth);
  }

  async function reboot(id: string) {
    const vm = vmOf(id);
    if (vm) return vm.reboot(id);
    const before = await requireState(id);
    if (before.state !== 'RUNNING') return start(id);
    const deadline = Date.now() + stopTimeoutS * 1000;
    let nextSignal = 0;
    let stoppedSince = 0;
    while (Date.now() < deadline) {
      // Re-sent like the halt signal in stop(): a guest just started may have missed it.
      if (Date.now() >= nextSignal) {
        await lxcRequestReboot(lxcPath, id);
        nextSignal = Date.now() + SIGNAL_RETRY_S * 1000;
      }
      await sleep(50);
      const now = await lxcInfo(lxcPath, id);
      // LXC restarts the container when its init reboots; a new init PID tells us it happened.
      if (now?.state === 'RUNNING' && now.pid !== before.pid) return;
      // LXC passes through STOPPED while it relaunches; only a lasting STOPPED is a halt.
      if (now?.state !== 'STOPPED') stoppedSince = 0;
      else if (!stoppedSince) stoppedSince = Date.now();
      else if (Date.now() - stoppedSince > 1500) return start(id);
    }
    // The guest ignored every request: a hard reset still gives the caller a reboot.
    await lxcStop(lxcPath, id, { kill: true });
    await start(id);
  }

  async function destroy(id: string) {
    const dir = dirOf(id);
    await vms?.destroy(id); // absent is success, so both kinds are asked
    await mkdir(lxcPath, { recursive: true });
    await sweep(id);
    // A config LXC cannot load anymore still names a directory to remove.
    const info = await lxcInfo(lxcPath, id).catch((e: unknown) => {
      if (e instanceof PermanentEngineError) return null;
      throw e;
    });
    if (info && info.state !== 'STOPPED') {
      await lxcStop(lxcPath, id, { kill: true });
      // A stop begun by a process killed before us may still be tearing the guest down; its
      // mount namespace would pin the disk's loop device past our unmount.
      await lxcWait(lxcPath, id, 'STOPPED', 10);
    }
    if (!existsSync(dir)) return;
    // LXC removes a veth with its namespace, but a crashed monitor can leave the host side.
    const config = await readFile(join(dir, 'config'), 'utf8').catch(() => '');
    for (const veth of vethNamesInConfig(config)) {
      await deleteLink(veth);
      await removeNicRate(veth);
    }
    // The addresses go back to IPAM: no neighbour entry may keep pointing at this MAC.
    await forgetNeighbours(nicsInConfig(config));
    // Rename first, so a kill during removal leaves trash that the next sweep finishes.
    const trash = join(lxcPath, `.${id}.deleting-${process.pid}`);
    await rename(dir, trash);
    await removeInstanceDir(trash);
  }

  async function setNics(id: string, nics: NicSpec[], dns: InstanceSpec['dns']) {
    const vm = vmOf(id);
    if (vm) return vm.setNics(id, nics, dns);
    const dir = dirOf(id);
    const { config: configPath } = instancePaths(dir);
    const old = await readFile(configPath, 'utf8').catch(() => null);
    if (old === null) throw new InstanceNotFoundError(`instance ${id} does not exist`);
    const wanted = new Set(nics.map((n) => vethName(n.id)));
    const gone = vethNamesInConfig(old).filter((v) => !wanted.has(v));
    const goneNics = nicsInConfig(old).filter((n) => n.veth && !wanted.has(n.veth));
    // The limits the kernel holds (recorded by the last pass that finished): tc runs only where they change.
    const before = new Map(ratesInConfig(old).map((r) => [r.veth, r]));
    const asBefore = nics.map(({ ingressMbit: _in, egressMbit: _out, ...n }) => ({ ...n, ...rateOf(before.get(vethName(n.id))) }));
    // First the config that names both the new NICs and the links still to remove: a process
    // killed from here on leaves every link it may have made findable by the next pass and destroy.
    // It keeps the old limits: only the last write below, after tc, records the new ones.
    const trace = startTrace(`setNics ${id}`);
    // The config write and the look at the instance touch different things: at once.
    const [, info, resolv] = await Promise.all([writeConfigFile(configPath, withNics(old, asBefore, gone)), recentInfo(id), guestResolvConf()]);
    trace.mark('config+info');
    const pid = info?.state === 'RUNNING' ? info.pid : null;
    if (pid) {
      // Links to pull out go first: the guest's view read after it names the freed interface names.
      for (const veth of gone) await unplugNic(veth);
      await forgetNeighbours(goneNics);
      const guest = await readGuestNet(pid);
      trace.mark('unplug+read-guest');
      for (const [i, nic] of nics.entries()) {
        const made = await plugNic(pid, nic, `eth${i}`, guest);
        // tc only where the limits changed, or on a link made just now that should have some:
        // a fresh veth has no qdisc, and an unchanged one keeps what the last pass set.
        const was = before.get(vethName(nic.id));
        const changed = (was?.ingressMbit ?? 0) !== (nic.ingressMbit ?? 0) || (was?.egressMbit ?? 0) !== (nic.egressMbit ?? 0);
        if (changed || (made && (nic.ingressMbit || nic.egressMbit))) await applyNicRate(vethName(nic.id), nic);
      }
      trace.mark('plug');
    }
    for (const veth of gone) await removeNicRate(veth);
    await writeGuestDns(dir, pid, withNetworkDns(resolv, dns));
    await writeConfigFile(configPath, withNics(old, nics));
    trace.mark('dns+config');
    trace.end();
  }

  /** Writes the guest's resolv.conf: through the running guest's root, or into its stopped disk. */
  async function writeGuestDns(dir: string, pid: number | null, text: string) {
    if (pid) {
      const path = `/proc/${pid}/root/etc/resolv.conf`;
      // A symlink there would resolve against the host's root, not the guest's: leave it alone.
      if ((await lstat(path).catch(() => null))?.isFile()) await writeFile(path, text);
      return;
    }
    const config = await readFile(instancePaths(dir).config, 'utf8');
    const m = /^lxc\.rootfs\.path\s*=\s*overlay:([^:\n]+):([^:\n]+)$/m.exec(config);
    if (!m?.[1] || !m[2]) return;
    await mountInstanceDisk(dir);
    try {
      await writeGuestFile(m[1], m[2], 'etc/resolv.conf', text, opts.idmap);
    } finally {
      await unmountUnder(instancePaths(dir).mnt);
    }
  }

  async function create(spec: InstanceSpec) {
    if (spec.kind === 'vm' && vms) return vms.create(spec);
    if (spec.kind !== 'container') throw new Error(`local engine makes containers only, not ${spec.kind}`);
    const dir = dirOf(spec.id);
    await mkdir(lxcPath, { recursive: true, mode: 0o711 });
    await sweep(spec.id);
    if (await lxcInfo(lxcPath, spec.id)) return; // exists: creating again changes nothing
    const image = await opts.images.resolve(spec.image);
    const fromDisk = spec.fromSnapshot ? opts.snapshotImage?.(spec.fromSnapshot.server, spec.fromSnapshot.snapshot) : undefined;
    if (spec.fromSnapshot && !(fromDisk && existsSync(fromDisk))) {
      throw new PermanentEngineError(`snapshot ${spec.fromSnapshot.snapshot} of ${spec.fromSnapshot.server} is not on this host`);
    }
    const staging = join(lxcPath, `.${spec.id}.creating-${process.pid}`);
    try {
      await makeInstance(staging, dir, { spec, image, idmap: opts.idmap, cgroup, ...(fromDisk ? { fromDisk } : {}) });
    } catch (e) {
      await removeInstanceDir(staging);
      throw e;
    }
    justMade.add(spec.id);
  }

  const observation = (id: string, info: { state: string; pid: number | null }): InstanceObservation => {
    // STOPPING still has processes; STARTING/ABORTING are not up yet.
    const up = ['RUNNING', 'FROZEN', 'FREEZING', 'THAWED', 'STOPPING'].includes(info.state);
    const detail = info.pid ? `${info.state} pid ${info.pid}` : info.state;
    const missing = info.state === 'RUNNING' ? missingLinks(id) : [];
    return { state: up ? 'running' : 'stopped', node, detail, ...(missing.length ? { missingLinks: missing } : {}) };
  };

  /**
   * The host ends of a running container's NICs (its config's veth.pair lines) that are not on
   * the host: deleting one end of a veth takes the guest's end with it. Sysfs and one small
   * file per container, no process.
   */
  function missingLinks(id: string): string[] {
    let config = '';
    try {
      config = readFileSync(instancePaths(dirOf(id)).config, 'utf8');
    } catch {
      return [];
    }
    return [...config.matchAll(/^lxc\.net\.\d+\.veth\.pair\s*=\s*(\S+)/gm)].map((m) => m[1]!).filter((veth) => !existsSync(`/sys/class/net/${veth}`));
  }

  return {
    capabilities: { containers: true, virtualMachines: Boolean(vms), asyncTasks: false, multiNode: false, liveResize: true },
    async inspect(id): Promise<InstanceObservation | null> {
      const vm = vmOf(checkId(id));
      if (vm) return vm.inspect(id);
      const info = await recentInfo(checkId(id));
      return info ? observation(id, info) : null;
    },
    async observeAll() {
      const all = lxcObserveAll(lxcPath);
      const seen = new Map<string, InstanceObservation>(
        [...all].filter(([name]) => ID.test(name)).map(([name, state]) => {
          const missing = state === 'running' ? missingLinks(name) : [];
          return [name, { state, node, ...(missing.length ? { missingLinks: missing } : {}) }];
        }),
      );
      for (const id of (await vms?.list()) ?? []) {
        const o = await vms?.inspect(id);
        if (o) seen.set(id, o);
      }
      return seen;
    },
    watch(onChange) {
      // Our own starts and stops report too; only the ends of a run matter for drift.
      const unwatchLxc = watchLxc(lxcPath, (name, state) => {
        if (ID.test(name) && (state === 'STOPPED' || state === 'RUNNING')) onChange(name);
      });
      // A NIC's host link deleted behind our back: the container that names it is looked at now,
      // not at the next sweep. Our own unplugs name the link only as `# kumulus.unplug` by then.
      const unwatchLinks = watchLinkDeletions((link) => {
        for (const name of readdirSync(lxcPath).filter((n) => ID.test(n))) {
          const config = (() => {
            try {
              return readFileSync(instancePaths(dirOf(name)).config, 'utf8');
            } catch {
              return '';
            }
          })();
          if (new RegExp(`^lxc\\.net\\.\\d+\\.veth\\.pair\\s*=\\s*${link}$`, 'm').test(config)) onChange(name);
        }
      });
      const unwatch = () => {
        unwatchLxc();
        unwatchLinks();
      };
      if (!vms) return unwatch;
      const last = new Map<string, string>();
      const timer = setInterval(() => {
        void (async () => {
          for (const id of await vms.list()) {
            const state = (await vms.inspect(id).catch(() => null))?.state ?? 'gone';
            if (last.has(id) && last.get(id) !== state) onChange(id);
            last.set(id, state);
          }
        })().catch(() => {});
      }, VM_WATCH_MS);
      timer.unref();
      return () => {
        clearInterval(timer);
        unwatch();
      };
    },
    async list() {
      return [...lxcObserveAll(lxcPath).keys()].filter((n) => ID.test(n)).concat((await vms?.list()) ?? []);
    },
    create: (spec) => serialized(spec.id, () => create(spec)).then(() => null),
    start: (id) => serialized(id, () => start(id)).then(() => null),
    stop: (id, o) => serialized(id, () => forget(id, () => stop(id, o.force, o.askOnly, o.timeoutS))).then(() => null),
    reboot: (id) => serialized(id, () => forget(id, () => reboot(id))).then(() => null),
    destroy: (id) => serialized(id, () => forget(id, () => destroy(id))).then(() => null),
    setNics: (id, nics, dns) => serialized(checkId(id), () => forget(id, () => setNics(id, nics, dns))).then(() => null),
    resize: (id, limits) =>
      serialized(id, async () => {
        const vm = vmOf(id);
        if (vm) return vm.resize(id, limits);
        await requireState(id);
        await applyLimits(lxcPath, id, cgroup, limits);
        await growRootDisk(dirOf(id), limits.diskGb);
      }).then(() => null),
    rebuild: (spec) =>
      serialized(spec.id, () =>
        forget(spec.id, async () => {
          const vm = vmOf(spec.id);
          if (vm) return vm.rebuild(spec);
          if ((await requireState(spec.id)).state !== 'STOPPED') throw new Error(`instance ${spec.id} must be stopped to be rebuilt`);
          await rebuildInstance(lxcPath, spec, await opts.images.resolve(spec.image), opts.idmap, cgroup);
        }),
      ).then(() => null),
    setRootPassword: (id, hash) =>
      serialized(id, async () => {
        const vm = vmOf(id);
        if (vm) return vm.setRootPassword(id, hash);
        await requireState(id);
        const lower = lowerDirOf(await readFile(instancePaths(dirOf(id)).config, 'utf8'));
        await setGuestRootHash(lxcPath, id, lower, hash, opts.idmap);
      }).then(() => null),
    setHostname: (id, hostname) =>
      serialized(id, async () => {
        // cloud-init sets a VM's hostname at first boot only; renaming one live is not built yet.
        if (vmOf(id)) throw new PermanentEngineError('the hostname of a virtual machine cannot be changed yet; rename it without changing its hostname');
        await requireState(id);
        const lower = lowerDirOf(await readFile(instancePaths(dirOf(id)).config, 'utf8'));
        await setInstanceHostname(lxcPath, id, lower, hostname, opts.idmap);
      }).then(() => null),
    async task() {
      return { done: true }; // never handed out: every call above finishes before it returns
    },
    exclusive: (id, fn) => serialized(id, () => forget(id, fn)),
    whileStopped: (id, fn) =>
      serialized(id, () =>
        forget(id, async () => {
          const vm = vmOf(id);
          const ran = vm ? (await vm.inspect(id))?.state === 'running' : (await requireState(id)).state !== 'STOPPED';
          if (ran) await stop(id, false);
          try {
            await fn();
          } finally {
            if (ran) await start(id);
          }
        }),
      ),
  };
}

/** Guards paths built from ids: only our `srv_` ids may name a directory under lxcPath. */
function checkId(id: string): string {
  if (!ID.test(id)) throw new Error(`not a server id: ${id}`);
  return id;
}
