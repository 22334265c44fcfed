/**
 * One VM's QEMU process: its command line, how it is launched so that it outlives the control
 * plane (a transient systemd service where systemd runs the host, else QEMU's own -daemonize),
 * and how it is found again (its pidfile, checked against /proc so a reused PID is not ours).
 */
import { constants, existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NicSpec } from '../../types.ts';
import { run } from '../exec.ts';
import { vethName } from '../network.ts';

/** What the engine keeps of a VM between calls (vm.json in its directory). */
export interface VmConfig {
  id: string;
  hostname: string;
  /** Engine-level image name the disk was cloned from. */
  image: string;
  /** The image's directory (kernel, initramfs, base disk). */
  imageDir: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  nics: NicSpec[];
  /** cloud-init's instance id; a rebuild changes it so first-boot modules run again. */
  instanceId: string;
  rootPasswordHash?: string;
  sshKeys: string[];
}

/** Files of one VM, all in its directory. */
export function vmPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'vm.json'),
    disk: join(dir, 'disk.qcow2'),
    seed: join(dir, 'seed.iso'),
    qmp: join(dir, 'qmp.sock'),
    qga: join(dir, 'qga.sock'),
    vnc: join(dir, 'vnc.sock'),
    pid: join(dir, 'qemu.pid'),
    serial: join(dir, 'serial.log'),
  };
}

/** The name QEMU's process and (on systemd hosts) its unit carry. */
export const vmUnit = (id: string) => `kumulus-vm-${id}`;

/**
 * True when KVM can run a stock guest kernel: /dev/kvm is there for us and the CPU has hardware
 * virtualization (vmx/svm). A /dev/kvm without it (kvm_pvm, the pagetable-based nested KVM of some
 * cloud sandboxes) creates VMs but runs only PVM-enabled kernels: Debian's never got past its
 * decompressor there in minutes, while software emulation boots it, so that counts as no KVM.
 */
export async function kvmUsable(): Promise<boolean> {
  const open = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  );
  if (!open) return false;
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''));
}

/** True when systemd is PID 1 here: VMs then run as transient services of their own. */
export const systemdRunsHost = () => existsSync('/run/systemd/system');

/** QEMU's arguments for a VM: q35, virtio disk and NICs, direct kernel boot, QMP and agent sockets. */
export function qemuArgs(c: VmConfig, dir: string, opts: { kvm: boolean; daemonize: boolean }): string[] {
  const p = vmPaths(dir);
  const args = [
    '-name',
    `${vmUnit(c.id)},process=${vmUnit(c.id)}`,
    '-machine',
    `q35,accel=${opts.kvm ? 'kvm' : 'tcg'}`,
    // The host's CPU minus IA32_ARCH_CAPABILITIES: under nested KVM (this kind of cloud machine)
    // writing that MSR fails and QEMU aborts; guests only read mitigation hints from it.
    '-cpu',
    opts.kvm ? 'host,-arch-capabilities' : 'max',
    '-smp',
    String(c.vcpus),
    '-m',
    String(c.memoryMb),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    // Direct kernel boot from the image: no bootloader on the disk; net.ifnames=0 keeps eth<i>.
    '-kernel',
    join(c.imageDir, 'vmlinuz'),
    '-initrd',
    join(c.imageDir, 'initrd.img'),
    '-append',
    'root=/dev/vda rw console=ttyS0 net.ifnames=0',
    '-drive',
    `file=${p.disk},if=none,id=disk0,format=qcow2,discard=unmap`,
    '-device',
    'virtio-blk-pci,drive=disk0',
    // The seed as a second virtio disk, not a CD: q35's CD drive is on AHCI, which Debian's cloud
    // kernel has no driver for; cloud-init finds the ISO by its label either way.
    '-drive',
    `file=${p.seed},if=none,id=seed,format=raw,readonly=on`,
    '-device',
    'virtio-blk-pci,drive=seed',
    '-chardev',
    `socket,id=qmp,path=${p.qmp},server=on,wait=off`,
    '-mon',
    'chardev=qmp,mode=control',
    '-chardev',
    `socket,id=qga,path=${p.qga},server=on,wait=off`,
    '-device',
    'virtio-serial-pci',
    '-device',
    'virtserialport,chardev=qga,name=org.qemu.guest_agent.0',
    '-vnc',
    `unix:${p.vnc}`,
    '-device',
    'VGA',
    '-serial',
    `file:${p.serial}`,
    '-pidfile',
    p.pid,
  ];
  for (const [i, nic] of c.nics.entries()) {
    // QEMU makes the tap (not persistent): it vanishes with the process, also when the guest powers off.
    args.push('-netdev', `tap,id=n${i},ifname=${vethName(nic.id)},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=n${i},mac=${nic.mac.toLowerCase()}`);
  }
  if (opts.daemonize) args.push('-daemonize');
  return args;
}

/**
 * Starts QEMU so that it is not our child: on systemd hosts as `kumulus-vm-<id>.service`
 * (systemd-run), else daemonized by QEMU itself (re-parented to init, in a session of its own).
 */
export async function launchQemu(c: VmConfig, dir: string, kvm: boolean): Promise<void> {
  if (systemdRunsHost()) {
    const unit = vmUnit(c.id);
    // A failed unit of an earlier run would block the name.
    await run('systemctl', ['reset-failed', `${unit}.service`], { allowFail: true });
    await run('systemd-run', ['--quiet', '--collect', `--unit=${unit}`, '--property=KillMode=mixed', '--', 'qemu-system-x86_64', ...qemuArgs(c, dir, { kvm, daemonize: false })]);
    return;
  }
  await run('qemu-system-x86_64', qemuArgs(c, dir, { kvm, daemonize: true }), { timeoutMs: 60_000 });
}

/** The PID of the VM's QEMU when it runs; null when it does not (no pidfile, dead, or a reused PID). */
export async function qemuPid(id: string, dir: string): Promise<number | null> {
  const text = await readFile(vmPaths(dir).pid, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  if (!pid) return null;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(vmUnit(id)) ? pid : null;
}
