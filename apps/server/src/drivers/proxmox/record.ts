/**
 * The record of what Kumulus set on a guest, kept in the guest's description (so any Kumulus process can compare
 * it with the config and report changes made in Proxmox's own GUI or CLI as drift), with the ids of its NICs in
 * order (net0, net1 …), which the traffic counters are booked to.
 */
import type { PveParams } from './client.ts';

/** The options Kumulus sets and watches for changes made in Proxmox's own GUI or CLI. */
export const WATCHED = ['hostname', 'name', 'cores', 'memory', 'swap', 'net0', 'net1', 'net2', 'net3', 'ipconfig0', 'ipconfig1', 'ipconfig2', 'ipconfig3'];
const RECORD = 'kumulus-spec:';

/** What Kumulus set, as it is recorded in the guest's description (so any Kumulus process can compare). */
export function recordOf(p: PveParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of WATCHED) if (p[k] !== undefined) out[k] = String(typeof p[k] === 'boolean' ? Number(p[k]) : p[k]);
  return out;
}

/** The description of a guest of ours, with the record. */
export function describe(id: string, record: Record<string, string>): string {
  return `Kumulus server ${id}. Managed by Kumulus: changes made here are reported as drift.\n${RECORD} ${JSON.stringify(record)}`;
}

/** The differences between a guest's config and what Kumulus recorded at create, in words. */
export function driftOf(config: Record<string, string | number>): string[] {
  const line = String(config.description ?? '').split('\n').find((l) => l.startsWith(RECORD));
  if (!line) return ['the Kumulus record in the description was removed'];
  let record: Record<string, string>;
  try {
    record = JSON.parse(line.slice(RECORD.length)) as Record<string, string>;
  } catch {
    return ['the Kumulus record in the description was edited'];
  }
  const out: string[] = [];
  for (const k of WATCHED) {
    const want = record[k];
    const have = config[k] === undefined ? undefined : String(config[k]);
    if (want === undefined && have === undefined) continue;
    // PVE normalizes net options (adds type=veth, may reorder); compare them as sets of key=value.
    const same = k.startsWith('net') ? sameOptions(want, have) : want === have;
    if (!same) out.push(have === undefined ? `${k} was removed (Kumulus set ${want})` : want === undefined ? `${k} was added (${have})` : `${k} is ${have}, Kumulus set ${want}`);
  }
  return out;
}

/** A VM's `model=virtio,macaddr=M` as qemu-server prints it back (`virtio=M`); other options as they are. */
function canonicalNet(x: string): string {
  const parts = x.split(',');
  const model = parts.find((p) => p.startsWith('model='))?.slice(6);
  const mac = parts.find((p) => p.startsWith('macaddr='))?.slice(8);
  if (!model) return x;
  return [`${model}=${mac ?? ''}`, ...parts.filter((p) => !p.startsWith('model=') && !p.startsWith('macaddr='))].join(',');
}

/** Whether two net options say the same (PVE adds `type=veth` and may reorder keys). */
export function sameOptions(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const set = (x: string) => new Set(canonicalNet(x).split(',').filter((kv) => !kv.startsWith('type=')).map((kv) => kv.toLowerCase()));
  const sa = set(a);
  const sb = set(b);
  return sa.size === sb.size && [...sa].every((kv) => sb.has(kv));
}

/** The record in a guest's description; null when it was removed or edited beyond reading. */
export function readRecord(config: Record<string, string | number | undefined>): Record<string, string> | null {
  const line = String(config.description ?? '').split('\n').find((l) => l.startsWith(RECORD));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(RECORD.length)) as Record<string, string>;
  } catch {
    return null;
  }
}

/**
 * The description after Kumulus changed options itself: the record follows (`undefined` removes an option), so
 * the change is not reported as drift. A record that was lost stays lost: that drift is the operator's to see.
 */
export function redescribe(id: string, config: Record<string, string | number | undefined>, changes: Record<string, string | number | boolean | undefined>): string | undefined {
  const record = readRecord(config);
  if (!record) return undefined;
  for (const [k, v] of Object.entries(changes)) {
    if (!WATCHED.includes(k) && k !== 'nics') continue;
    if (v === undefined) delete record[k];
    else record[k] = String(v);
  }
  return describe(id, record);
}

/** The ids of a guest's NICs in order, as recorded; empty when none were recorded. */
export function nicIdsOf(config: Record<string, string | number | undefined>): string[] {
  return (readRecord(config)?.nics ?? '').split(',').filter(Boolean);
}
