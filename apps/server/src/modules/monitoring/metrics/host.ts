/** The host's own figures (CPU, memory, filesystem, disks, network) read from /proc and statfs. */
import { readFile, statfs } from 'node:fs/promises';
import { existsSync } from 'node:fs';

/** Kernel clock ticks per second in /proc/stat (USER_HZ, 100 on every Linux architecture we run on). */
const USER_HZ = 100;
/** /proc/diskstats counts 512-byte sectors whatever the device's own sector size. */
const SECTOR = 512;
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

/** One reading of the host. */
export interface HostReading {
  cpuSecondsByMode: Map<string, number>;
  cpuCount: number;
  load1: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  filesystem: { path: string; sizeBytes: number; availBytes: number };
  disks: { device: string; readBytes: number; writtenBytes: number }[];
  network: { device: string; receiveBytes: number; transmitBytes: number }[];
}

/** Reads the host; `dataDir` is the filesystem reported (where servers and volumes live). */
export async function readHost(dataDir: string): Promise<HostReading> {
  const stat = await readFile('/proc/stat', 'utf8');
  const cpuSecondsByMode = new Map<string, number>();
  const total = stat.split('\n').find((l) => l.startsWith('cpu '))?.trim().split(/\s+/).slice(1) ?? [];
  for (const [i, mode] of CPU_MODES.entries()) cpuSecondsByMode.set(mode, Number(total[i] ?? 0) / USER_HZ);
  const cpuCount = stat.split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
  const mem = new Map((await readFile('/proc/meminfo', 'utf8')).split('\n').map((l) => [l.split(':')[0] ?? '', Number(/(\d+)/.exec(l)?.[1] ?? 0) * 1024] as const));
  const fs = await statfs(dataDir);
  return {
    cpuSecondsByMode,
    cpuCount,
    load1: Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]),
    memoryTotalBytes: mem.get('MemTotal') ?? 0,
    memoryAvailableBytes: mem.get('MemAvailable') ?? 0,
    filesystem: { path: dataDir, sizeBytes: fs.blocks * fs.bsize, availBytes: fs.bavail * fs.bsize },
    disks: parseDiskstats(await readFile('/proc/diskstats', 'utf8')),
    network: parseNetDev(await readFile('/proc/net/dev', 'utf8')),
  };
}

/** Whole disks from /proc/diskstats (partitions, loop and ram devices left out: they would count twice or not at all). */
export function parseDiskstats(text: string): HostReading['disks'] {
  const out: HostReading['disks'] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const device = f[2];
    if (!device || /^(loop|ram|zram|dm-)/.test(device) || !existsSync(`/sys/block/${device}`)) continue;
    out.push({ device, readBytes: Number(f[5]) * SECTOR, writtenBytes: Number(f[9]) * SECTOR });
  }
  return out;
}

/**
 * Interfaces from /proc/net/dev, without loopback and the host ends of guests' veths (`kv…`, `veth…`),
 * which the per-server metrics carry with their server's labels.
 */
export function parseNetDev(text: string): HostReading['network'] {
  const out: HostReading['network'] = [];
  for (const line of text.split('\n').slice(2)) {
    const [name = '', rest = ''] = line.split(':');
    const device = name.trim();
    if (!device || device === 'lo' || /^(veth|kv)/.test(device)) continue;
    const f = rest.trim().split(/\s+/);
    out.push({ device, receiveBytes: Number(f[0]), transmitBytes: Number(f[8]) });
  }
  return out;
}
