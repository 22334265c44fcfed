/**
 * What the local engine needs from the Debian host, each thing with the package that brings it.
 * scripts/lib.sh installs these packages; a test (requirements.test.ts) fails when the code runs
 * a command or includes a file that is not listed here, when a listed package is not named by
 * the scripts, or when dpkg says another package owns the file — so nothing the engine uses can
 * exist only because someone installed it by hand.
 */

/** Every host command the control plane runs (engine, console, TLS), by the package that provides it. */
export const HOST_COMMANDS: Readonly<Record<string, string>> = {
  'lxc-start': 'lxc',
  'lxc-stop': 'lxc',
  'lxc-info': 'lxc',
  'lxc-ls': 'lxc',
  'lxc-wait': 'lxc',
  'lxc-attach': 'lxc',
  'lxc-monitor': 'lxc',
  'lxc-console': 'lxc',
  newuidmap: 'uidmap',
  ip: 'iproute2',
  // Per-NIC rate limits (drivers/local/nic-rate.ts).
  tc: 'iproute2',
  nft: 'nftables',
  losetup: 'mount',
  mount: 'mount',
  umount: 'mount',
  'mkfs.ext4': 'e2fsprogs',
  // Block volumes (drivers/local/storage*): formats, probing, and mounts into running guests.
  'mkfs.xfs': 'xfsprogs',
  blkid: 'util-linux',
  resize2fs: 'e2fsprogs',
  e2fsck: 'e2fsprogs',
  xfs_growfs: 'xfsprogs',
  nsenter: 'util-linux',
  // Snapshots (drivers/local/storage-snapshots.ts): a sparse/reflink copy while the guest and its filesystem are frozen.
  cp: 'coreutils',
  fsfreeze: 'util-linux',
  'lxc-freeze': 'lxc',
  // Resize: CPU and memory limits of a running container (drivers/local/instance-life.ts).
  'lxc-cgroup': 'lxc',
  'lxc-unfreeze': 'lxc',
  debootstrap: 'debootstrap',
  // Virtual machines (drivers/local/vm/): QEMU, qcow2 linked clones, the NoCloud seed ISO, and
  // on systemd hosts a transient service per VM.
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  genisoimage: 'genisoimage',
  'systemd-run': 'systemd',
  systemctl: 'systemd',
  script: 'bsdutils',
  stty: 'coreutils',
  // Backups (drivers/local/backup*): restic, and the OpenSSH client for SFTP targets.
  restic: 'restic',
  // Verification restores at idle I/O priority, so production disks keep their speed.
  ionice: 'util-linux',
  nice: 'coreutils',
  ssh: 'openssh-client',
  sftp: 'openssh-client',
  // serve's self-signed HTTPS certificate on first start.
  openssl: 'openssl',
  // ICMP uptime monitors (modules/monitoring/checks/ping.ts): ping holds the raw-socket capability Node lacks.
  ping: 'iputils-ping',
  // Firewall logs (drivers/local/firewall-log.ts): reads the packets nftables logs to an nflog group.
  tcpdump: 'tcpdump',
  // br_netfilter, where the kernel has it as a module (drivers/local/firewall.ts).
  modprobe: 'kmod',
  // …started under setpriv --pdeathsig, so it dies with the control plane.
  setpriv: 'util-linux',
};

/** Commands only virtual machines need: a host without them still runs containers. */
export const VM_COMMANDS: ReadonlySet<string> = new Set(['qemu-system-x86_64', 'qemu-img', 'genisoimage', 'systemd-run', 'systemctl']);

/** LXC config files instances include, and other files the engine reads, by package. */
export const HOST_FILES: Readonly<Record<string, string>> = {
  '/usr/share/lxc/config/common.conf': 'liblxc-common',
  '/usr/share/lxc/config/userns.conf': 'liblxc-common',
  // Debian's own includes come with the templates package, not with lxc: the fresh-host defect.
  '/usr/share/lxc/config/debian.common.conf': 'lxc-templates',
  '/usr/share/lxc/config/debian.userns.conf': 'lxc-templates',
  '/bin/busybox': 'busybox-static',
};

/**
 * Kernel settings (under /proc/sys) below which the host runs far fewer containers than it could:
 * every container's root is the same host uid, so per-uid quotas are shared by all of them.
 * scripts/60-kumulus.conf sets at least these values (a test checks).
 */
export const HOST_SYSCTLS: Readonly<Record<string, number>> = {
  'kernel.keys.maxkeys': 50_000,
  'kernel.keys.maxbytes': 2_500_000,
  'fs.inotify.max_user_instances': 1_048_576,
  'fs.inotify.max_user_watches': 1_048_576,
  'net.ipv4.neigh.default.gc_thresh3': 8192,
  'kernel.pty.max': 65_536,
};

/** The package that provides a command or file the engine needs, for "apt-get install …" hints. */
export function packageOf(commandOrFile: string): string | undefined {
  return HOST_COMMANDS[commandOrFile] ?? HOST_FILES[commandOrFile];
}
