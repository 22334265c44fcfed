/**
 * Volume QoS as kernel block throttling on the volume's device, in the cgroup of the container it
 * is attached to: blkio.throttle.* on cgroup v1 (hybrid hosts), io.max on v2 (Debian 12). The
 * limits are kept in a small file per volume and rendered into the container's LXC config at every
 * start, because the device's number (a loop device's minor) can change between activations.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VolumeQos } from '../../types.ts';
import type { CgroupVersion } from '../cgroups.ts';

const ROOT = '/sys/fs/cgroup';
const V1_FILES = {
  readBytesPerSec: 'blkio.throttle.read_bps_device',
  writeBytesPerSec: 'blkio.throttle.write_bps_device',
  readIops: 'blkio.throttle.read_iops_device',
  writeIops: 'blkio.throttle.write_iops_device',
} as const;
const V2_KEYS = { readBytesPerSec: 'rbps', writeBytesPerSec: 'wbps', readIops: 'riops', writeIops: 'wiops' } as const;
const FIELDS = Object.keys(V1_FILES) as (keyof VolumeQos)[];

/** `major:minor` of a block device, decoded from st_rdev as the kernel encodes it (minors above 255 too). */
export async function deviceNumber(device: string): Promise<string> {
  const rdev = (await stat(device)).rdev;
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  return `${major}:${minor}`;
}

/** LXC config lines that apply `qos` to device `dev` at start. */
export function qosConfigLines(version: CgroupVersion, dev: string, qos: VolumeQos): string[] {
  if (version === 2) return hasLimits(qos) ? [`lxc.cgroup2.io.max = ${dev} ${v2Value(qos)}`] : [];
  return FIELDS.filter((f) => qos[f]).map((f) => `lxc.cgroup.${V1_FILES[f]} = ${dev} ${qos[f]}`);
}

/** True for the config lines qosConfigLines renders (so they can be replaced as a whole). */
export const isQosLine = (line: string) => /^lxc\.cgroup2?\.(blkio\.throttle\.|io\.max)/.test(line);

/** Applies `qos` to device `dev` in the running cgroup of process `pid`; 0 or absent lifts a limit. */
export async function applyQosLive(version: CgroupVersion, pid: number, dev: string, qos: VolumeQos): Promise<void> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  const pathOf = (pred: (ctrls: string[]) => boolean) => {
    const line = lines.find((l) => pred((l.split(':')[1] ?? '').split(',')));
    if (!line) throw new Error(`no blkio/io cgroup for pid ${pid}`);
    return payloadRoot(line.split(':')[2] ?? '');
  };
  if (version === 2) {
    await writeFile(join(ROOT, pathOf((c) => c.length === 1 && c[0] === ''), 'io.max'), `${dev} ${v2Value(qos)}`);
    return;
  }
  const dir = join(ROOT, 'blkio', pathOf((c) => c.includes('blkio')));
  // v1 takes "dev 0" to remove a rule.
  for (const f of FIELDS) await writeFile(join(dir, V1_FILES[f]), `${dev} ${qos[f] ?? 0}`);
}

const hasLimits = (qos: VolumeQos) => FIELDS.some((f) => qos[f]);
const v2Value = (qos: VolumeQos) => FIELDS.map((f) => `${V2_KEYS[f]}=${qos[f] || 'max'}`).join(' ');

/** Cuts a cgroup path after LXC's `lxc.payload.<name>` level, where limits are set. */
function payloadRoot(path: string): string {
  const parts = path.split('/');
  const i = parts.findIndex((p) => p.startsWith('lxc.payload.'));
  return i < 0 ? path : parts.slice(0, i + 1).join('/');
}
