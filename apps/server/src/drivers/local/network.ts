/**
 * The local network facet: one Linux bridge carrying the gateway address, and one nftables
 * table of our own (`inet <nftTable>`) that masquerades the bridge's subnet to the outside.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { NetworkDriver } from '../types.ts';
import { run } from './exec.ts';

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

/** Options of the local network facet. */
export interface LocalNetworkOptions {
  bridge: string;
  nftTable: string;
}

/** Creates the network facet for one bridge and one nftables table. */
export function createLocalNetwork(opts: LocalNetworkOptions): NetworkDriver {
  const { bridge, nftTable } = opts;
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  return {
    async ensureDefault({ cidr, gateway }) {
      const prefix = cidr.split('/')[1];
      if (!prefix) throw new Error(`cidr ${cidr} has no prefix length`);
      if (!(await linkExists(bridge))) {
        await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge'], { allowFail: true });
      }
      // `replace` makes re-running a no-op instead of "File exists".
      await run('ip', ['addr', 'replace', `${gateway}/${prefix}`, 'dev', bridge]);
      await run('ip', ['link', 'set', 'dev', bridge, 'up']);
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
      await run('nft', ['-f', '-'], { input: nftRuleset(nftTable, bridge, cidr) });
      return bridge;
    },
    async removeDefault() {
      await deleteLink(bridge);
      const r = await run('nft', ['list', 'table', 'inet', nftTable], { allowFail: true });
      if (r.code === 0) await run('nft', ['delete', 'table', 'inet', nftTable]);
    },
  };
}

/** The whole table, replaced in one transaction: declare, delete, declare again with content. */
function nftRuleset(table: string, bridge: string, cidr: string): string {
  return `table inet ${table}
delete table inet ${table}
table inet ${table} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
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
