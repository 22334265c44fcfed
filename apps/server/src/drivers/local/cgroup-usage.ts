/**
 * What a container has used, read from its cgroup: CPU time, memory and block I/O. The same
 * figures come from different files on the legacy (v1, one mount per controller) and the
 * unified (v2) hierarchy; a hybrid host keeps the controllers on v1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceUsage } from '../types.ts';
import { type CgroupVersion, detectCgroupVersion, payloadRoot } from './cgroups.ts';

/** One instance's cumulative usage (counters since it started) and its memory now. */
export type CgroupUsage = InstanceUsage;

/** Where the hierarchy is mounted and which one it is (tests point it at a fixture tree). */
export interface CgroupRoot {
  root: string;
  version: CgroupVersion;
}

/** The host's own hierarchy. */
export const hostCgroupRoot = (): CgroupRoot => ({ root: '/sys/fs/cgroup', version: detectCgroupVersion() });

/**
 * Reads the usage of the cgroup that holds process `pid` (a container's init), at LXC's payload level so
 * the guest's own sub-groups (systemd's init.scope) count too. `procCgroup` is the text of /proc/<pid>/cgroup.
 */
export async function readCgroupUsage(procCgroup: string, at: CgroupRoot = hostCgroupRoot()): Promise<CgroupUsage> {
  const lines = procCgroup.trim().split('\n');
  const pathOf = (controller: string | null) => {
    for (const line of lines) {
      const [, ctrls = '', path = ''] = line.split(':');
      const list = ctrls.split(',');
      if (controller === null ? ctrls === '' : list.includes(controller)) return payloadRoot(path);
    }
    throw new Error(`no cgroup holds the ${controller ?? 'unified'} controller`);
  };
  if (at.version === 2) {
    const dir = join(at.root, pathOf(null));
    const cpu = keyed(await readFile(join(dir, 'cpu.stat'), 'utf8'));
    const io = ioStatV2(await readFile(join(dir, 'io.stat'), 'utf8').catch(() => ''));
    return { cpuSeconds: (cpu.get('usage_usec') ?? 0) / 1e6, memoryBytes: await number(join(dir, 'memory.current')), ...io };
  }
  const cpuDir = join(at.root, 'cpuacct', pathOf('cpuacct'));
  const memDir = join(at.root, 'memory', pathOf('memory'));
  const blkDir = join(at.root, 'blkio', pathOf('blkio'));
  const bytes = blkioV1(await readFile(join(blkDir, 'blkio.throttle.io_service_bytes'), 'utf8').catch(() => ''));
  const ops = blkioV1(await readFile(join(blkDir, 'blkio.throttle.io_serviced'), 'utf8').catch(() => ''));
  return {
    cpuSeconds: (await number(join(cpuDir, 'cpuacct.usage'))) / 1e9,
    memoryBytes: await number(join(memDir, 'memory.usage_in_bytes')),
    diskReadBytes: bytes.read,
    diskWriteBytes: bytes.write,
    diskReads: ops.read,
    diskWrites: ops.write,
  };
}

async function number(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim());
}

/** `key value` lines (cpu.stat, memory.stat). */
function keyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

/** v2 io.stat: `8:0 rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…`, one line per device, summed. */
export function ioStatV2(text: string): Pick<CgroupUsage, 'diskReadBytes' | 'diskWriteBytes' | 'diskReads' | 'diskWrites'> {
  const sum = { diskReadBytes: 0, diskWriteBytes: 0, diskReads: 0, diskWrites: 0 };
  const field: Record<string, keyof typeof sum> = { rbytes: 'diskReadBytes', wbytes: 'diskWriteBytes', rios: 'diskReads', wios: 'diskWrites' };
  for (const line of text.split('\n')) {
    for (const pair of line.trim().split(/\s+/).slice(1)) {
      const [k = '', v] = pair.split('=');
      const f = field[k];
      if (f) sum[f] += Number(v);
    }
  }
  return sum;
}

/** v1 blkio.throttle.*: `8:0 Read 4096` lines per device and operation, plus a `Total` line of its own, which is skipped. */
export function blkioV1(text: string): { read: number; write: number } {
  const sum = { read: 0, write: 0 };
  for (const line of text.split('\n')) {
    const [dev, op, v] = line.trim().split(/\s+/);
    if (!dev || dev === 'Total' || v === undefined) continue;
    if (op === 'Read') sum.read += Number(v);
    if (op === 'Write') sum.write += Number(v);
  }
  return sum;
}
