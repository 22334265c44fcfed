/**
 * Per-NIC rate limits with tc on the host end of the NIC's veth, and its byte counters.
 * Traffic into the guest leaves the host end: a TBF root qdisc shapes it. Traffic out of the
 * guest enters the host end, where this kernel has no police action: an ingress qdisc redirects
 * it (mirred) to an IFB device of the NIC's own, whose TBF root qdisc shapes it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { run } from './exec.ts';
import { deleteLink } from './network.ts';

/** Limits of one NIC in Mbit/s; absent or 0 is unlimited. */
export interface NicRate {
  /** Into the guest. */
  ingressMbit?: number;
  /** Out of the guest. */
  egressMbit?: number;
}

/** The IFB device that shapes what a guest sends through the host veth `veth` (`kv…` → `ki…`). */
export const ifbName = (veth: string) => `ki${veth.slice(2)}`;

/** TBF parameters for a rate: a burst of at least one GSO super-packet, 20 ms of queue. */
function tbf(mbit: number): string[] {
  const bytesPerSec = (mbit * 1_000_000) / 8;
  const burst = Math.max(64 * 1024, Math.ceil(bytesPerSec / 100));
  return ['tbf', 'rate', `${mbit}mbit`, 'burst', String(burst), 'latency', '20ms'];
}

/** Sets (or clears) the limits on a NIC's host veth; safe to repeat, and to call with the veth absent. */
export async function applyNicRate(veth: string, rate: NicRate): Promise<void> {
  if (!present(veth)) return;
  const ifb = ifbName(veth);
  // One tc for the clearing: -force goes on past "no such qdisc". The ingress qdisc is made
  // again each time, which also drops a redirect left from before.
  const clear = [...(rate.ingressMbit ? [] : [`qdisc del dev ${veth} root`]), `qdisc del dev ${veth} ingress`];
  await run('tc', ['-force', '-batch', '-'], { input: clear.map((l) => `${l}\n`).join(''), allowFail: true });
  if (rate.ingressMbit) await run('tc', ['qdisc', 'replace', 'dev', veth, 'root', ...tbf(rate.ingressMbit)]);
  if (!rate.egressMbit) {
    if (present(ifb)) await deleteLink(ifb);
    return;
  }
  if (!present(ifb)) await run('ip', ['link', 'add', ifb, 'type', 'ifb']);
  await run('ip', ['link', 'set', 'dev', ifb, 'up']);
  await run('tc', ['qdisc', 'replace', 'dev', ifb, 'root', ...tbf(rate.egressMbit)]);
  await run('tc', ['qdisc', 'add', 'dev', veth, 'handle', 'ffff:', 'ingress']);
  await run('tc', ['filter', 'add', 'dev', veth, 'parent', 'ffff:', 'protocol', 'all', 'prio', '1', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb]);
}

/** Removes what applyNicRate made besides the veth itself (its IFB device). */
export async function removeNicRate(veth: string): Promise<void> {
  if (present(ifbName(veth))) await deleteLink(ifbName(veth));
}

/** True when the host has a link of that name (sysfs: no process spawned). */
const present = (name: string) => existsSync(`/sys/class/net/${name}`);

/** A host veth's byte counters as the kernel keeps them, with its ifindex to tell a re-made link. */
export interface LinkCounters {
  ifindex: number;
  /** Bytes the host end received: what the guest sent. */
  rxBytes: number;
  /** Bytes the host end sent: what the guest received. */
  txBytes: number;
}

/** Reads a host link's counters from sysfs; null when the link does not exist. */
export async function readLinkCounters(link: string): Promise<LinkCounters | null> {
  const base = `/sys/class/net/${link}`;
  const read = (f: string) => readFile(`${base}/${f}`, 'utf8').then((t) => Number(t.trim()));
  try {
    const [ifindex, rxBytes, txBytes] = await Promise.all([read('ifindex'), read('statistics/rx_bytes'), read('statistics/tx_bytes')]);
    return { ifindex, rxBytes, txBytes };
  } catch {
    return null;
  }
}
