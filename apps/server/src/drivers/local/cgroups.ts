/**
 * CPU and memory limits as cgroup settings. Debian 12 hosts run the unified (v2) hierarchy,
 * older or hybrid hosts keep cpu and memory on v1; we detect which at runtime.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Which cgroup hierarchy holds the cpu and memory controllers. */
export type CgroupVersion = 1 | 2;

const ROOT = '/sys/fs/cgroup';
/** The CFS period we use; a quota of vcpus × period lets the container use that many CPUs. */
const PERIOD_US = 100_000;

/** Detects the cgroup hierarchy: v2 when /sys/fs/cgroup is the unified mount itself. */
export function detectCgroupVersion(): CgroupVersion {
  // On a hybrid host cgroup2 is mounted at /sys/fs/cgroup/unified without controllers, so the
  // presence of cgroup.controllers at the root is what tells a pure v2 host apart.
  return existsSync(join(ROOT, 'cgroup.controllers')) ? 2 : 1;
}

/** LXC config lines that limit the container to `vcpus` CPUs and `memoryMb` of memory. */
export function cgroupConfigLines(version: CgroupVersion, vcpus: number, memoryMb: number): string[] {
  const bytes = memoryMb * 1024 * 1024;
  const quota = Math.round(vcpus * PERIOD_US);
  if (version === 2) {
    return [`lxc.cgroup2.memory.max = ${bytes}`, `lxc.cgroup2.cpu.max = ${quota} ${PERIOD_US}`];
  }
  return [
    `lxc.cgroup.memory.limit_in_bytes = ${bytes}`,
    `lxc.cgroup.cpu.cfs_period_us = ${PERIOD_US}`,
    `lxc.cgroup.cpu.cfs_quota_us = ${quota}`,
  ];
}

/** Limits actually in force for a running container, read from the host's cgroup files. */
export interface CgroupLimits {
  memoryBytes: number | null;
  cpuQuotaUs: number | null;
  cpuPeriodUs: number;
}

/** Reads the limits applied to the cgroup of a container's init process (`pid` on the host). */
export async function readCgroupLimits(pid: number, version = detectCgroupVersion()): Promise<CgroupLimits> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  const pathOf = (pred: (ctrls: string[]) => boolean) => {
    for (const line of lines) {
      const [, ctrls = '', path = ''] = line.split(':');
      if (pred(ctrls.split(','))) return payloadRoot(path);
    }
    throw new Error(`no matching cgroup for pid ${pid}`);
  };
  const num = async (file: string) => {
    const v = (await readFile(file, 'utf8')).trim().split(' ');
    return v[0] === 'max' || v[0] === '-1' ? null : Number(v[0]);
  };
  if (version === 2) {
    const dir = join(ROOT, pathOf((c) => c.length === 1 && c[0] === ''));
    const [quota, period] = (await readFile(join(dir, 'cpu.max'), 'utf8')).trim().split(' ');
    return {
      memoryBytes: await num(join(dir, 'memory.max')),
      cpuQuotaUs: quota === 'max' ? null : Number(quota),
      cpuPeriodUs: Number(period),
    };
  }
  const mem = join(ROOT, 'memory', pathOf((c) => c.includes('memory')));
  const cpu = join(ROOT, 'cpu', pathOf((c) => c.includes('cpu')));
  return {
    memoryBytes: await num(join(mem, 'memory.limit_in_bytes')),
    cpuQuotaUs: await num(join(cpu, 'cpu.cfs_quota_us')),
    cpuPeriodUs: Number(await num(join(cpu, 'cpu.cfs_period_us'))),
  };
}

/** Cuts a cgroup path after LXC's `lxc.payload.<name>` level, where the limits are set. */
export function payloadRoot(path: string): string {
  // systemd inside a v2 guest moves init into a child (init.scope); limits sit on the ancestor.
  const parts = path.split('/');
  const i = parts.findIndex((p) => p.startsWith('lxc.payload.'));
  return i < 0 ? path : parts.slice(0, i + 1).join('/');
}
