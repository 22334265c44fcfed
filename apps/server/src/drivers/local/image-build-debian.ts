/**
 * The `debian-12` image: debootstrap minbase plus systemd, iproute2 and OpenSSH, trimmed so
 * that every clone boots under unprivileged LXC and gets its own identity on first boot.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.ts';

/** Packages on top of minbase: an init, the ip tool, sshd for the SSH keys, ping for checks. */
const PACKAGES = ['systemd-sysv', 'iproute2', 'openssh-server', 'iputils-ping', 'netbase', 'ca-certificates'];

/**
 * Host keys must differ per instance, so they are made on the guest's first boot: Ed25519 and
 * ECDSA only. `ssh-keygen -A` also made an RSA key, which took 1–2 s of every first boot and
 * was most of the time from create to SSH answering; every current client speaks Ed25519.
 */
const HOSTKEYS_UNIT = `[Unit]
Description=Generate SSH host keys on first boot (Kumulus)
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key
ExecStart=/usr/bin/ssh-keygen -q -t ecdsa -N "" -f /etc/ssh/ssh_host_ecdsa_key

[Install]
WantedBy=multi-user.target
`;

/** sshd offers the keys the first-boot unit makes (Debian's sshd_config includes sshd_config.d). */
const SSHD_HOSTKEYS = `HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
`;

/** Finds a Debian mirror in the host's apt sources (the only network we may assume). */
export async function findDebianMirror(): Promise<string> {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of await readdir(dir)) files.push(join(dir, f));
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    for (const m of text.matchAll(/(?:^URIs:|^deb)\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)) {
      const uri = m[1] ?? '';
      if (/\/debian\/?$/.test(uri)) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Builds the rootfs with debootstrap into `rootfs`; `debCache` keeps downloaded packages. */
export async function buildDebianRootfs(rootfs: string, debCache: string, mirror?: string): Promise<void> {
  await mkdir(debCache, { recursive: true });
  const args = ['--variant=minbase', `--cache-dir=${debCache}`, `--include=${PACKAGES.join(',')}`];
  await run('debootstrap', [...args, 'bookworm', rootfs, mirror ?? (await findDebianMirror())], {
    timeoutMs: 30 * 60_000,
  });
  // Per-machine identity and host leftovers must not be shared by clones.
  await writeFile(join(rootfs, 'etc/machine-id'), ''); // empty: systemd makes one at boot
  await rm(join(rootfs, 'var/lib/dbus/machine-id'), { force: true });
  await writeFile(join(rootfs, 'etc/hostname'), 'debian\n');
  await writeFile(join(rootfs, 'etc/hosts'), '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  await writeFile(join(rootfs, 'etc/resolv.conf'), '');
  for (const f of await readdir(join(rootfs, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) await rm(join(rootfs, 'etc/ssh', f));
  }
  // Without it sshd would look for the RSA key that is never made and log an error each start.
  await writeFile(join(rootfs, 'etc/ssh/sshd_config.d/kumulus-hostkeys.conf'), SSHD_HOSTKEYS);
  const unit = 'kumulus-ssh-hostkeys.service';
  await writeFile(join(rootfs, 'etc/systemd/system', unit), HOSTKEYS_UNIT);
  const wants = join(rootfs, 'etc/systemd/system/multi-user.target.wants');
  await mkdir(wants, { recursive: true });
  await symlink(`/etc/systemd/system/${unit}`, join(wants, unit));
  // Units that only fail inside an unprivileged container and slow the boot down.
  for (const u of ['systemd-journald-audit.socket', 'sys-kernel-config.mount', 'sys-kernel-debug.mount']) {
    await symlink('/dev/null', join(rootfs, 'etc/systemd/system', u)).catch(() => {});
  }
  await rm(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
  await mkdir(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  await rm(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
}
