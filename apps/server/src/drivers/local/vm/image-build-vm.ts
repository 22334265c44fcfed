/**
 * The `debian-12-vm` image: debootstrap (the same package cache and mirror as the container
 * image) plus a cloud kernel, cloud-init and the QEMU guest agent, written into an ext4 disk
 * without a partition table. VMs boot it with QEMU's direct kernel boot (-kernel/-initrd taken
 * from the image), so no bootloader is installed, and cloud-init grows the filesystem to the disk.
 */
import { copyFile, mkdir, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.ts';
import { findDebianMirror } from '../image-build-debian.ts';

/**
 * On top of minbase: a VM kernel and its initramfs, systemd (networkd renders cloud-init's
 * network config), cloud-init for the NoCloud seed, the guest agent, sshd and ping for checks.
 */
const PACKAGES = [
  'linux-image-cloud-amd64',
  'initramfs-tools',
  'systemd-sysv',
  // logind (which needs the bus) turns the ACPI power button into a clean poweroff.
  'dbus',
  'udev',
  'e2fsprogs',
  'cloud-init',
  // debootstrap does not resolve virtual packages: python3-cryptography's cffi API one is this.
  'python3-cffi-backend',
  'qemu-guest-agent',
  'iproute2',
  'openssh-server',
  'iputils-ping',
  'netbase',
  'ca-certificates',
];

/** Size of the image's filesystem; every VM's disk is at least this (cloud-init grows it to the plan's). */
export const VM_IMAGE_BYTES = 2 * 1024 ** 3;

/** cloud-init: only the NoCloud seed (no probing of cloud metadata services), networkd renders. */
const CLOUD_CFG = `# Kumulus: VMs get their seed as a NoCloud ISO; nothing else is probed.
datasource_list: [NoCloud, None]
system_info:
  network:
    renderers: [networkd]
`;

/** Builds the disk image into `dir` (disk.raw, vmlinuz, initrd.img); `debCache` keeps downloaded packages. */
export async function buildVmImage(dir: string, debCache: string, mirror?: string): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  await mkdir(debCache, { recursive: true });
  const args = ['--variant=minbase', `--cache-dir=${debCache}`, `--include=${PACKAGES.join(',')}`];
  await run('debootstrap', [...args, 'bookworm', rootfs, mirror ?? (await findDebianMirror())], { timeoutMs: 45 * 60_000 });
  // Per-machine identity must not be shared by clones; cloud-init sets the hostname.
  await writeFile(join(rootfs, 'etc/machine-id'), '');
  await rm(join(rootfs, 'var/lib/dbus/machine-id'), { force: true });
  await writeFile(join(rootfs, 'etc/hostname'), 'debian\n');
  await writeFile(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  for (const f of await readdir(join(rootfs, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) await rm(join(rootfs, 'etc/ssh', f)); // cloud-init makes them per instance
  }
  await writeFile(join(rootfs, 'etc/fstab'), '/dev/vda / ext4 defaults,errors=remount-ro 0 1\n');
  await writeFile(join(rootfs, 'etc/cloud/cloud.cfg.d/90-kumulus.cfg'), CLOUD_CFG);
  const wants = join(rootfs, 'etc/systemd/system/multi-user.target.wants');
  await mkdir(wants, { recursive: true });
  await symlink('/lib/systemd/system/systemd-networkd.service', join(wants, 'systemd-networkd.service')).catch(() => {});
  // Waiting for every link to be "online" would hold cloud-init back on NICs without a carrier.
  await symlink('/dev/null', join(rootfs, 'etc/systemd/system/systemd-networkd-wait-online.service')).catch(() => {});
  const boot = join(rootfs, 'boot');
  const files = await readdir(boot);
  const kernel = files.find((f) => f.startsWith('vmlinuz-'));
  const initrd = files.find((f) => f.startsWith('initrd.img-'));
  if (!kernel || !initrd) throw new Error(`the VM image has no kernel or initramfs in /boot (${files.join(' ')})`);
  await copyFile(join(boot, kernel), join(dir, 'vmlinuz'));
  await copyFile(join(boot, initrd), join(dir, 'initrd.img'));
  await rm(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
  await mkdir(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  await rm(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
  // mkfs copies the tree in (-d): no loop mount, nothing to leak when the build is killed.
  const raw = join(dir, 'disk.raw');
  await writeFile(raw, '');
  await truncate(raw, VM_IMAGE_BYTES);
  await run('mkfs.ext4', ['-q', '-L', 'root', '-d', rootfs, raw], { timeoutMs: 10 * 60_000 });
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, join(dir, 'disk.qcow2')], { timeoutMs: 10 * 60_000 });
  await rm(raw, { force: true });
  await rm(rootfs, { recursive: true, force: true });
}
