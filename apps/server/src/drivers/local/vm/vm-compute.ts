/**
 * The local engine's virtual machines: one directory per VM (`<vmPath>/<id>`) with its config,
 * a qcow2 linked clone of the image's base disk and a NoCloud seed; one QEMU process per running
 * VM, supervised outside the control plane (qemu.ts) and asked through QMP. Every call is
 * idempotent and finishes inside the call, like the container facet's.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceLimits, InstanceObservation, InstanceSpec, NicSpec } from '../../types.ts';
import { run } from '../exec.ts';
import { writeConfigFile } from '../instance-files.ts';
import { pidAlive } from '../lock.ts';
import { announceNeighbours, deleteLink, forgetNeighbours, vethName } from '../network.ts';
import { applyNicRate, removeNicRate } from '../nic-rate.ts';
import { guestResolvConf, withNetworkDns } from '../resolv.ts';
import { seedInputOf, writeSeed } from './cidata.ts';
import { openQmp, qmpOnce } from './qmp.ts';
import { kvmUsable, launchQemu, qemuPid, type VmConfig, vmPaths, vmUnit } from './qemu.ts';
import type { VmImages } from './vm-images.ts';

/** Options of the VM facet. */
export interface VmComputeOptions {
  vmPath: string;
  images: VmImages;
  node: string;
  /** Seconds a guest gets to power off after the ACPI request before QEMU is ended. */
  stopTimeoutS?: number;
}

/** The VM half of the local compute facet; the kind router (compute-kinds.ts) sends calls here. */
export interface VmCompute {
  has(id: string): boolean;
  list(): Promise<string[]>;
  inspect(id: string): Promise<InstanceObservation | null>;
  create(spec: InstanceSpec): Promise<void>;
  start(id: string): Promise<void>;
  stop(id: string, force: boolean, askOnly?: boolean, timeoutS?: number): Promise<void>;
  reboot(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  setNics(id: string, nics: NicSpec[], dns: InstanceSpec['dns']): Promise<void>;
  resize(id: string, limits: InstanceLimits): Promise<void>;
  rebuild(spec: InstanceSpec): Promise<void>;
  setRootPassword(id: string, hash: string): Promise<void>;
}

const ID = /^srv_[A-Za-z0-9_-]+$/;
/** Staging and trash dirs carry the PID of the process working on them. */
const SCRATCH = /^\.(srv_[A-Za-z0-9_-]+)\.(creating|deleting)-(\d+)$/;
/** How often the ACPI power button is pressed again while the guest has not reacted. */
const SIGNAL_RETRY_S = 3;

/** Creates the VM facet over one directory. */
export function createVmCompute(opts: VmComputeOptions): VmCompute {
  const { vmPath, node } = opts;
  const stopTimeoutS = opts.stopTimeoutS ?? 60;
  const dirOf = (id: string) => {
    if (!ID.test(id)) throw new Error(`not a server id: ${id}`);
    return join(vmPath, id);
  };
  const readConfig = async (id: string): Promise<VmConfig> => {
    const text = await readFile(vmPaths(dirOf(id)).config, 'utf8').catch(() => null);
    if (text === null) throw Object.assign(new Error(`instance ${id} does not exist`), { code: 'INSTANCE_NOT_FOUND' });
    return JSON.parse(text) as VmConfig;
  };
  const saveConfig = (c: VmConfig) => writeConfigFile(vmPaths(dirOf(c.id)).config, JSON.stringify(c, null, 2) + '\n');
  const neighbours = (nics: NicSpec[]) => nics.map((n) => ({ link: n.link, ipv4: n.ipv4.split('/')[0]!, mac: n.mac }));

  async function sweep(id: string): Promise<void> {
    for (const entry of await readdir(vmPath).catch(() => [])) {
      const m = SCRATCH.exec(entry);
      if (!m) continue;
      const pid = Number(m[3]);
      if (!pidAlive(pid) || (pid === process.pid && m[1] === id)) await rm(join(vmPath, entry), { recursive: true, force: true });
    }
  }

  /** Writes the seed from the config; the guest reads it at its next boot. */
  async function seed(c: VmConfig, dir: string, dns: InstanceSpec['dns']): Promise<void> {
    const spec = { ...c, kind: 'vm' as const, ...(c.rootPasswordHash ? { rootPasswordHash: c.rootPasswordHash } : {}) };
    await writeSeed(vmPaths(dir).seed, seedInputOf(spec, c.instanceId, withNetworkDns(await guestResolvConf(), dns)));
  }

  /** A linked clone of the base disk, at least the plan's size (cloud-init grows the filesystem). */
  async function cloneDisk(c: VmConfig, dir: string): Promise<void> {
    const base = join(c.imageDir, 'disk.qcow2');
    const tmp = `${vmPaths(dir).disk}.tmp`;
    const baseBytes = await virtualSize(base);
    const size = Math.max(baseBytes, Math.round(c.diskGb * 1024 ** 3));
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, tmp, String(size)]);
    await rename(tmp, vmPaths(dir).disk);
  }

  async function create(spec: InstanceSpec): Promise<void> {
    const dir = dirOf(spec.id);
    await mkdir(vmPath, { recursive: true, mode: 0o711 });
    await sweep(spec.id);
    if (existsSync(vmPaths(dir).config)) return; // exists: creating again changes nothing
    const image = await opts.images.resolve(spec.image);
    const c: VmConfig = {
      id: spec.id,
      hostname: spec.hostname,
      image: spec.image,
      imageDir: image.dir,
      vcpus: spec.vcpus,
      memoryMb: spec.memoryMb,
      diskGb: spec.diskGb,
      nics: spec.nics,
      instanceId: `${spec.id}-1`,
      sshKeys: spec.sshKeys,
      ...(spec.rootPasswordHash ? { rootPasswordHash: spec.rootPasswordHash } : {}),
    };
    // Made in a staging dir renamed into place: a VM exists complete (vm.json last) or not at all.
    const staging = join(vmPath, `.${spec.id}.creating-${process.pid}`);
    try {
      await mkdir(staging, { recursive: true, mode: 0o700 });
      await cloneDisk(c, staging);
      await seed(c, staging, spec.dns);
      await writeFile(vmPaths(staging).config, JSON.stringify(c, null, 2) + '\n');
      await rename(staging, dir);
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      throw e;
    }
  }

  /** Puts the VM's taps into their bridges (QEMU made them down and unattached) and limits them. */
  async function plugTaps(c: VmConfig): Promise<void> {
    const lines = c.nics.map((n) => `link set dev ${vethName(n.id)} master ${n.link} up\n`).join('');
    if (lines) await run('ip', ['-batch', '-'], { input: lines });
    await announceNeighbours(neighbours(c.nics));
    for (const n of c.nics) await applyNicRate(vethName(n.id), n);
  }

  async function start(id: string): Promise<void> {
    const dir = dirOf(id);
    const c = await readConfig(id);
    if (!(await qemuPid(id, dir))) {
      // Sockets of a run that ended would make QEMU's bind fail.
      for (const f of [vmPaths(dir).qmp, vmPaths(dir).qga, vmPaths(dir).vnc, vmPaths(dir).pid]) await rm(f, { force: true });
      await launchQemu(c, dir, await kvmUsable());
      await waitForQmp(dir);
    }
    await plugTaps(c);
  }

  /** Ends QEMU at once (QMP quit, then SIGKILL) and cleans what a run leaves: taps, sockets, limits. */
  async function kill(id: string, dir: string, c: VmConfig | null): Promise<void> {
    const pid = await qemuPid(id, dir);
    if (pid) {
      await qmpOnce(vmPaths(dir).qmp, 'quit', undefined, 2000).catch(() => {});
      if (!(await gone(id, dir, 5000))) process.kill(pid, 'SIGKILL');
      await gone(id, dir, 10_000);
    }
    await afterRun(id, dir, c);
  }

  async function afterRun(id: string, dir: string, c: VmConfig | null): Promise<void> {
    if (existsSync('/run/systemd/system')) await run('systemctl', ['reset-failed', `${vmUnit(id)}.service`], { allowFail: true });
    for (const n of c?.nics ?? []) {
      await deleteLink(vethName(n.id)); // gone with QEMU, unless a SIGKILL raced its teardown
      await removeNicRate(vethName(n.id));
    }
    for (const f of [vmPaths(dir).qmp, vmPaths(dir).qga, vmPaths(dir).vnc, vmPaths(dir).pid]) await rm(f, { force: true });
  }

  async function stop(id: string, force: boolean, askOnly = false, timeoutS = stopTimeoutS): Promise<void> {
    const dir = dirOf(id);
    const c = await readConfig(id);
    if (!force && (await qemuPid(id, dir))) {
      // The power button pressed before the guest's ACPI handler is up is lost: press again.
      const deadline = Date.now() + timeoutS * 1000;
      while (Date.now() < deadline && (await qemuPid(id, dir))) {
        await qmpOnce(vmPaths(dir).qmp, 'system_powerdown', undefined, 2000).catch(() => {});
        await askAgentToPowerOff(dir);
        await gone(id, dir, Math.min(SIGNAL_RETRY_S * 1000, Math.max(0, deadline - Date.now())));
      }
      if (askOnly && (await qemuPid(id, dir))) return;
    }
    await kill(id, dir, c);
  }

  async function destroy(id: string): Promise<void> {
    const dir = dirOf(id);
    await mkdir(vmPath, { recursive: true });
    await sweep(id);
    if (!existsSync(dir)) return;
    const c = await readConfig(id).catch(() => null);
    await kill(id, dir, c);
    if (c) await forgetNeighbours(neighbours(c.nics));
    // Rename first, so a kill during removal leaves trash that the next sweep finishes.
    const trash = join(vmPath, `.${id}.deleting-${process.pid}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  async function inspect(id: string): Promise<InstanceObservation | null> {
    const dir = dirOf(id);
    if (!existsSync(vmPaths(dir).config)) return null;
    const pid = await qemuPid(id, dir);
    if (!pid) return { state: 'stopped', node, detail: 'vm' };
    const status = await qmpOnce<{ status: string }>(vmPaths(dir).qmp, 'query-status', undefined, 2000).catch(() => null);
    const emulated = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('accel=tcg');
    return { state: 'running', node, detail: `vm ${status?.status ?? 'unknown'} pid ${pid}`, emulated };
  }

  return {
    has: (id) => ID.test(id) && existsSync(vmPaths(join(vmPath, id)).config),
    async list() {
      return (await readdir(vmPath).catch(() => [])).filter((e) => ID.test(e) && existsSync(vmPaths(join(vmPath, e)).config));
    },
    inspect,
    create,
    start,
    stop,
    async reboot(id) {
      // Powered off and on again: a clean shutdown, and the next boot reads the seed afresh.
      if (await qemuPid(id, dirOf(id))) await stop(id, false);
      await start(id);
    },
    destroy,
    async setNics(id, nics, dns) {
      const c = await readConfig(id);
      const goneNics = c.nics.filter((n) => !nics.some((m) => m.id === n.id));
      const next = { ...c, nics };
      await seed(next, dirOf(id), dns);
      await saveConfig(next);
      await forgetNeighbours(neighbours(goneNics));
      // A running VM keeps the NICs it booted with; the new set is plugged at its next start.
    },
    async resize(id, limits) {
      const c = await readConfig(id);
      const dir = dirOf(id);
      const bytes = Math.round(limits.diskGb * 1024 ** 3);
      if (bytes > (await virtualSize(vmPaths(dir).disk))) {
        if (await qemuPid(id, dir)) await qmpOnce(vmPaths(dir).qmp, 'block_resize', { device: 'disk0', size: bytes });
        else await run('qemu-img', ['resize', '-q', vmPaths(dir).disk, String(bytes)]);
      }
      // CPU and memory take effect at the next start; cloud-init grows the filesystem at each boot.
      await saveConfig({ ...c, vcpus: limits.vcpus, memoryMb: limits.memoryMb, diskGb: Math.max(c.diskGb, limits.diskGb) });
    },
    async rebuild(spec) {
      const dir = dirOf(spec.id);
      const c = await readConfig(spec.id);
      if (await qemuPid(spec.id, dir)) throw new Error(`instance ${spec.id} must be stopped to be rebuilt`);
      const image = await opts.images.resolve(spec.image);
      const n = Number(/-(\d+)$/.exec(c.instanceId)?.[1] ?? '1') + 1;
      const next: VmConfig = { ...c, image: spec.image, imageDir: image.dir, hostname: spec.hostname, sshKeys: spec.sshKeys, instanceId: `${spec.id}-${n}` };
      if (spec.rootPasswordHash) next.rootPasswordHash = spec.rootPasswordHash;
      await rm(vmPaths(dir).disk, { force: true });
      await cloneDisk(next, dir);
      await seed(next, dir, spec.dns);
      await saveConfig(next);
    },
    async setRootPassword(id, hash) {
      const dir = dirOf(id);
      const c = await readConfig(id);
      await saveConfig({ ...c, rootPasswordHash: hash });
      if (!(await qemuPid(id, dir))) throw new Error(`instance ${id} must run for its password to be set (through its guest agent)`);
      const agent = await openQmp(vmPaths(dir).qga, { greeting: false, timeoutMs: 5000 });
      try {
        await agent.execute('guest-set-user-password', { username: 'root', password: Buffer.from(hash).toString('base64'), crypted: true }, 10_000);
      } finally {
        agent.close();
      }
    },
  };
}

/**
 * Asks the guest agent (where the image has one) to power off too: it works in guests whose ACPI
 * button nobody listens to. The agent sends no answer when it complies, so none is awaited.
 */
async function askAgentToPowerOff(dir: string): Promise<void> {
  const agent = await openQmp(vmPaths(dir).qga, { greeting: false, timeoutMs: 1000 }).catch(() => null);
  if (!agent) return;
  await agent.execute('guest-shutdown', { mode: 'powerdown' }, 1000).catch(() => {});
  agent.close();
}

/** Waits until QEMU's monitor answers (it is listening once QEMU has set the machine up). */
async function waitForQmp(dir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await qmpOnce(vmPaths(dir).qmp, 'query-status', undefined, 2000);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`QEMU of ${dir} did not answer on its monitor: ${(e as Error).message}`);
      await sleep(50);
    }
  }
}

/** Waits up to `ms` for the VM's QEMU to end; true when it has. */
async function gone(id: string, dir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await qemuPid(id, dir)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** The virtual size of a disk image in bytes. */
async function virtualSize(file: string): Promise<number> {
  const r = await run('qemu-img', ['info', '--output=json', '-U', file]);
  return (JSON.parse(r.stdout) as { 'virtual-size': number })['virtual-size'];
}
