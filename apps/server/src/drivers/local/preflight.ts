/**
 * The local engine's preflight: what this Debian host lacks to run containers, found from files
 * and the kernel's own tables (no process spawned), so it can run at start-up and on every look
 * at the host. Each problem names what is missing and the command that fixes it.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { HostProblem } from '../types.ts';
import { HOST_COMMANDS, HOST_SYSCTLS, packageOf, VM_COMMANDS } from './requirements.ts';
import type { IdMap } from './rootfs.ts';

/** What the preflight looks at. */
export interface PreflightInput {
  /** Directories the containers' mapped root must traverse (lxcPath, the image cache). */
  dirs: string[];
  idmap: IdMap;
  bridge: string;
  /** Config files each image's instances include. */
  imageIncludes: { image: string; files: string[] }[];
  /** The VM images: a missing QEMU tool blocks only these. */
  vmImages?: string[];
  /** Where /proc, /sys and /etc are; tests point these at a fake root. */
  root?: string;
}

/** Runs every check; an empty list means servers can run here. */
export function preflight(i: PreflightInput): HostProblem[] {
  const root = i.root ?? '/';
  const at = (p: string) => join(root, p);
  return [
    ...checkCommands(i.vmImages ?? []),
    ...checkIncludes(i.imageIncludes, at),
    ...checkSubIds(i.idmap, at),
    ...i.dirs.flatMap((d) => checkTraversable(d, i.idmap.base)),
    ...checkCgroups(at),
    ...checkKernel(at),
    ...checkSysctls(at),
    ...checkBridge(i.bridge, at),
  ];
}

const apt = (pkg: string | undefined) => (pkg ? `apt-get install ${pkg}` : 'install it');

/** Finds a command the way spawn does, plus the sbin dirs root's PATH has but a service's may lack. */
export function findCommand(cmd: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dir) continue;
    const file = join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

function checkCommands(vmImages: string[]): HostProblem[] {
  return Object.keys(HOST_COMMANDS)
    .filter((cmd) => !findCommand(cmd))
    .map((cmd) => ({ check: 'binary', subject: cmd, message: `the command ${cmd} is not installed`, fix: apt(packageOf(cmd)), ...(VM_COMMANDS.has(cmd) ? { images: vmImages } : {}) }));
}

function checkIncludes(images: PreflightInput['imageIncludes'], at: (p: string) => string): HostProblem[] {
  const missing = new Map<string, string[]>();
  for (const { image, files } of images) {
    for (const f of files) if (!existsSync(at(f))) missing.set(f, [...(missing.get(f) ?? []), image]);
  }
  return [...missing].map(([file, imgs]) => ({
    check: 'lxc-include',
    subject: file,
    message: `the LXC config file ${file} is missing, so servers from ${imgs.join(', ')} cannot start`,
    fix: apt(packageOf(file)),
    images: imgs,
  }));
}

/** /etc/subuid and /etc/subgid must give root the range the containers' ids map to. */
function checkSubIds(map: IdMap, at: (p: string) => string): HostProblem[] {
  const problems: HostProblem[] = [];
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    const text = existsSync(at(file)) ? readFileSync(at(file), 'utf8') : '';
    const covered = text.split('\n').some((line) => {
      const [who, start, count] = line.trim().split(':');
      return (who === 'root' || who === '0') && Number(start) <= map.base && Number(start) + Number(count) >= map.base + map.size;
    });
    if (!covered) {
      problems.push({
        check: 'subid',
        subject: file,
        message: `${file} gives root no id range covering ${map.base}–${map.base + map.size - 1}, which unprivileged containers map their ids to`,
        fix: `echo 'root:${map.base}:${map.size}' >> ${file}`,
      });
    }
  }
  return problems;
}

/**
 * The containers' root is an unprivileged host uid: it reaches its root filesystem only if every
 * directory above it lets others search it (a data dir under a 0700 mkdtemp folder does not).
 */
export function checkTraversable(dir: string, uid: number): HostProblem[] {
  const problems: HostProblem[] = [];
  let cur = resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of chain) {
    if (!existsSync(d)) break; // made later by the engine, with a mode that lets the guest in
    const st = statSync(d);
    const searchable = st.uid === uid ? st.mode & 0o100 : st.mode & 0o001;
    if (!searchable) {
      problems.push({
        check: 'data-dir',
        subject: d,
        message: `containers cannot reach their files: their root (host uid ${uid}) may not enter ${d} (mode ${(st.mode & 0o777).toString(8)})`,
        fix: `chmod o+x ${d}, or choose a --data-dir whose parent directories others may enter`,
      });
    }
  }
  return problems;
}

function checkCgroups(at: (p: string) => string): HostProblem[] {
  const unified = at('/sys/fs/cgroup/cgroup.controllers');
  const have = existsSync(unified)
    ? readFileSync(unified, 'utf8').trim().split(/\s+/)
    : ['cpu', 'memory'].filter((c) => existsSync(at(`/sys/fs/cgroup/${c}`)));
  return ['cpu', 'memory']
    .filter((c) => !have.includes(c))
    .map((c) => ({
      check: 'cgroup',
      subject: c,
      message: `the cgroup controller ${c} is not available, so CPU and memory limits cannot be enforced`,
      fix: `enable the ${c} controller (check /proc/cgroups and the kernel command line, e.g. cgroup_enable=${c})`,
    }));
}

function checkKernel(at: (p: string) => string): HostProblem[] {
  const problems: HostProblem[] = [];
  const filesystems = existsSync(at('/proc/filesystems')) ? readFileSync(at('/proc/filesystems'), 'utf8') : '';
  const release = existsSync(at('/proc/sys/kernel/osrelease')) ? readFileSync(at('/proc/sys/kernel/osrelease'), 'utf8').trim() : '';
  // overlay may be a module the first mount loads; its file in /lib/modules says it can be.
  if (!/\toverlay$/m.test(filesystems) && !existsSync(at(`/lib/modules/${release}/kernel/fs/overlayfs`))) {
    problems.push({ check: 'kernel', subject: 'overlay', message: 'the kernel has no overlay filesystem, which every server clone is made of', fix: 'modprobe overlay (and add it to /etc/modules)' });
  }
  const userns = at('/proc/sys/user/max_user_namespaces');
  if (existsSync(userns) && Number(readFileSync(userns, 'utf8').trim()) === 0) {
    problems.push({ check: 'kernel', subject: 'user namespaces', message: 'user namespaces are disabled, which unprivileged containers need', fix: 'sysctl -w user.max_user_namespaces=15000 (and set it in /etc/sysctl.d/)' });
  }
  // Firewalls between servers on one vSwitch need br_netfilter, built in or a module the firewall loads.
  if (!existsSync(at('/proc/sys/net/bridge')) && !existsSync(at(`/lib/modules/${release}/kernel/net/bridge/br_netfilter.ko`)) && !existsSync(at(`/lib/modules/${release}/kernel/net/bridge/br_netfilter.ko.xz`))) {
    problems.push({ check: 'kernel', subject: 'br_netfilter', message: 'the kernel has no bridge netfilter, so firewalls cannot filter traffic between servers on one vSwitch', fix: 'modprobe br_netfilter (and add it to /etc/modules-load.d/), or use a kernel built with CONFIG_BRIDGE_NETFILTER', images: [] });
  }
  if (!existsSync(at('/dev/loop-control'))) {
    problems.push({ check: 'kernel', subject: 'loop devices', message: 'there are no loop devices, which servers’ disks are mounted through', fix: 'modprobe loop' });
  }
  return problems;
}

/** Limits too low for many containers; they block no image (servers run until the limit). */
function checkSysctls(at: (p: string) => string): HostProblem[] {
  return Object.entries(HOST_SYSCTLS).flatMap(([key, want]) => {
    const file = at(`/proc/sys/${key.replaceAll('.', '/')}`);
    if (!existsSync(file)) return [];
    const have = Number(readFileSync(file, 'utf8').trim());
    if (have >= want) return [];
    return [{ check: 'kernel', subject: key, message: `${key} is ${have}, which caps how many servers can run on this host (Kumulus sets ${want})`, fix: `sysctl -w ${key}=${want} (scripts/quickstart.sh installs /etc/sysctl.d/60-kumulus.conf)`, images: [] }];
  });
}

function checkBridge(bridge: string, at: (p: string) => string): HostProblem[] {
  const flags = at(`/sys/class/net/${bridge}/flags`);
  // IFF_UP is bit 0 of the interface flags.
  if (!existsSync(flags) || !(Number.parseInt(readFileSync(flags, 'utf8').trim(), 16) & 1)) {
    return [{ check: 'bridge', subject: bridge, message: `the default network's bridge ${bridge} is missing or down`, fix: 'restart kumulus serve, which makes it again (its log says why it could not)' }];
  }
  return [];
}
