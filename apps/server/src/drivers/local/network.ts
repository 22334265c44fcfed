/**
 * The local network facet: one Linux bridge carrying the gateway address, and one nftables
 * table of our own (`inet <nftTable>`) that masquerades the bridge's subnet to the outside.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { NetworkDriver } from '../types.ts';
import { run } from './exec.ts';
import { readLinkCounters } from './nic-rate.ts';
import { SNAT_MAP } from './public-ip-snat.ts';
import { createLocalVSwitches } from './vswitch.ts';

/** Names the host side of an instance's veth after the NIC id: deterministic and ≤15 chars. */
export function vethName(nicId: string): string {
  // Interface names are limited to 15 bytes; a hash keeps distinct ids distinct after cutting.
  return 'kv' + createHash('sha256').update(nicId).digest('hex').slice(0, 12);
}

/** True when a network interface of that name exists on the host. */
export async function linkExists(name: string): Promise<boolean> {
  const r = await run('ip', ['-o', 'link', 'show', 'dev', name], { allowFail: true });
  return r.code === 0;
}

/** Deletes a host interface; absent is success. */
export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await run('ip', ['link', 'del', 'dev', name], { allowFail: true });
}

/** An address an instance holds on a host bridge, with the MAC it answers with. */
export interface Neighbour {
  link: string;
  ipv4: string;
  mac: string;
}

/**
 * Drops the host's neighbour (ARP) entries for addresses an instance held. Left in place, an
 * entry keeps the gone MAC, and the next holder of the address is sent frames it ignores
 * until the kernel has gone DELAY → PROBE → FAILED, which took up to ~50 s with TCP's backoff.
 */
export async function forgetNeighbours(nics: Neighbour[]): Promise<void> {
  if (nics.length === 0) return;
  // -force: an address with no entry is what we want, not an error that stops the batch.
  await run('ip', ['-force', '-batch', '-'], { input: nics.map((n) => `neigh del ${n.ipv4} dev ${n.link}\n`).join(''), allowFail: true });
}

/**
 * Tells the host which MAC an instance's addresses now have, as the instance starts.
 * The host writes the entry itself instead of waiting for a gratuitous ARP from the guest:
 * we know the MAC already, one `ip` call needs no pid lookup, no nsenter and no arping in
 * every image, and it cannot race with the guest's link coming up. `nud stale` means "use
 * it, but confirm it on first use", so a wrong belief would still be corrected by the kernel.
 * Other guests on the bridge need no announcement: a MAC stays with its address (IPAM's
 * macFor), so what they cached for the address is still right.
 */
export async function announceNeighbours(nics: Neighbour[]): Promise<void> {
  if (nics.length === 0) return;
  const lines = nics.map((n) => `neigh replace ${n.ipv4} lladdr ${n.mac} dev ${n.link} nud stale\n`).join('');
  await run('ip', ['-batch', '-'], { input: lines });
}

/** Options of the local network facet. */
export interface LocalNetworkOptions {
  bridge: string;
  nftTable: string;
  /** Where vSwitch state (dnsmasq config, names, pid) lives, one directory per network. */
  netPath: string;
}

/** Creates the network facet for one bridge and one nftables table. */
export function createLocalNetwork(opts: LocalNetworkOptions): NetworkDriver {
  const { bridge, nftTable } = opts;
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  return {
    ...createLocalVSwitches(opts.netPath),
    async ensureDefault({ cidr, gateway }) {
      const prefix = cidr.split('/')[1];
      if (!prefix) throw new Error(`cidr ${cidr} has no prefix length`);
      if (!(await linkExists(bridge))) {
        await run('ip', ['link', 'add', 'name', bridge, 'address', bridgeMac(bridge), 'type', 'bridge'], { allowFail: true });
      }
      await pinBridgeMac(bridge);
      // `replace` makes re-running a no-op instead of "File exists".
      await run('ip', ['addr', 'replace', `${gateway}/${prefix}`, 'dev', bridge]);
      await run('ip', ['link', 'set', 'dev', bridge, 'up']);
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
      await run('nft', ['-f', '-'], { input: nftRuleset(nftTable, bridge, cidr) });
      return bridge;
    },
    async nicCounters(nicIds) {
      const out = new Map<string, { link: number; inBytes: number; outBytes: number }>();
      for (const id of nicIds) {
        const c = await readLinkCounters(vethName(id));
        // The host end receives what the guest sends, and sends what it receives.
        if (c) out.set(id, { link: c.ifindex, inBytes: c.txBytes, outBytes: c.rxBytes });
      }
      return out;
    },
    async removeDefault() {
      await deleteLink(bridge);
      const r = await run('nft', ['list', 'table', 'inet', nftTable], { allowFail: true });
      if (r.code === 0) await run('nft', ['delete', 'table', 'inet', nftTable]);
    },
  };
}

/** A locally administered MAC for a bridge, from its name, so a re-made bridge keeps it. */
export function bridgeMac(bridge: string): string {
  const h = createHash('sha256').update(`bridge:${bridge}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * A bridge whose MAC was never set takes the lowest MAC of its ports, so it changes as
 * instances come and go: every guest's cached gateway MAC goes stale, and the kernel flushes
 * the host's neighbour entries on the bridge. Setting it once (to what it is, for a bridge an
 * older version made) fixes it; addr_assign_type 3 (NET_ADDR_SET) says it was set.
 */
export async function pinBridgeMac(bridge: string): Promise<void> {
  const sys = `/sys/class/net/${bridge}`;
  if ((await readFile(`${sys}/addr_assign_type`, 'utf8')).trim() === '3') return;
  await run('ip', ['link', 'set', 'dev', bridge, 'address', (await readFile(`${sys}/address`, 'utf8')).trim()]);
}

/**
 * The whole table, replaced in one transaction: declare, delete, declare again with content.
 * A NIC whose private address is in the SNAT map (filled by the public-IP facet) leaves from
 * its public address; the lookup misses for every other one, which falls through to masquerade.
 */
function nftRuleset(table: string, bridge: string, cidr: string): string {
  return `table inet ${table}
delete table inet ${table}
table inet ${table} {
  map ${SNAT_MAP} {
    type ipv4_addr : ipv4_addr
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${cidr} ip daddr != ${cidr} snat ip to ip saddr map @${SNAT_MAP}
    ip saddr ${cidr} ip daddr != ${cidr} masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${bridge}" accept
    oifname "${bridge}" ct state established,related accept
  }
}
`;
}
