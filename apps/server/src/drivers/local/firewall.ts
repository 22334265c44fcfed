/**
 * The local firewall facet: one inet and one bridge table of our own, both named `table`,
 * replaced together by one `nft -f` transaction. Each table's `spec_hash` set holds the hash of
 * the ruleset it was made from, so an unchanged ruleset is recognised without touching the kernel.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { FirewallDriver } from '../types.ts';
import { run } from './exec.ts';
import { watchNflog } from './firewall-log.ts';
import { vethName } from './network.ts';

/**
 * The nflog group of the tables named `table`: one per engine (only one reader may bind a group),
 * derived from the name so a restart finds the same one; above the small numbers people pick by hand.
 */
export function logGroupOf(table: string): number {
  return 2000 + (createHash('sha256').update(table).digest().readUInt16BE(0) % 60000);
}

const BRIDGE_NF = ['/proc/sys/net/bridge/bridge-nf-call-iptables', '/proc/sys/net/bridge/bridge-nf-call-ip6tables'];

/**
 * Frames between two servers on one vSwitch are bridged, never routed: the inet table (conntrack,
 * the tenants' rules) sees them only through br_netfilter. Debian builds it as a module no one
 * loads, so it is loaded here (scripts/lib.sh also lists it in /etc/modules-load.d/) and its
 * switches turned on; without it a firewall would filter routed traffic only, so that is an error.
 */
export async function ensureBridgeNetfilter(): Promise<void> {
  if (bridgeNfOn) return;
  if (!existsSync(BRIDGE_NF[0]!)) await run('modprobe', ['br_netfilter'], { allowFail: true });
  if (!existsSync(BRIDGE_NF[0]!)) {
    throw new Error('the kernel has no bridge netfilter (br_netfilter), so firewalls could not filter traffic between servers on one vSwitch: run modprobe br_netfilter');
  }
  for (const f of BRIDGE_NF) if ((await readFile(f, 'utf8')).trim() !== '1') await writeFile(f, '1\n');
  bridgeNfOn = true;
}
/** Set once the module and its switches were found on: every later apply skips the look. */
let bridgeNfOn = false;

/** Creates the firewall facet over the tables named `table`. */
export function createLocalFirewall(table: string): FirewallDriver {
  const families = ['inet', 'bridge'] as const;
  const logGroup = logGroupOf(table);
  const list = async (family: string) => {
    const r = await run('nft', ['list', 'table', family, table], { allowFail: true });
    return r.code === 0 ? r.stdout : null;
  };
  return {
    table,
    portOf: vethName,
    logGroup,
    watchLog: (onPacket) => watchNflog(logGroup, onPacket),
    async appliedHash() {
      // Two runs: nft 1.0.6 answers a batch listing sets of two families as if the second table were missing.
      const hashes = await Promise.all(
        families.map(async (f) => {
          const r = await run('nft', ['list', 'set', f, table, 'spec_hash'], { allowFail: true });
          return r.code === 0 ? (/elements = \{ "([0-9a-f]+)" \}/.exec(r.stdout)?.[1] ?? null) : null;
        }),
      );
      const [inet = null, bridge = null] = hashes;
      return inet !== null && inet === bridge ? inet : null;
    },
    async apply(text) {
      await ensureBridgeNetfilter();
      await run('nft', ['-f', '-'], { input: text });
    },
    async ruleset() {
      return (await Promise.all(families.map(list))).map((t) => t ?? '').join('');
    },
    async remove() {
      for (const f of families) if ((await list(f)) !== null) await run('nft', ['delete', 'table', f, table], { allowFail: true });
    },
  };
}
