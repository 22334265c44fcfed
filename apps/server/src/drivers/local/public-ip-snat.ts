/**
 * Outgoing traffic of a server with a public IPv4 address leaves from that address: the
 * default network's nat table (network.ts) holds a map from a NIC's private address to its
 * public one, used by an `snat` rule ahead of the masquerade; this fills the map to the plan.
 * Replies come back through conntrack to the private address, as masqueraded ones do.
 */
import type { PublicRoute } from '../types.ts';
import { run } from './exec.ts';

/** The map's name in the network facet's table. */
export const SNAT_MAP = 'public_snat';

/** The map's elements as private → public, one public address per private one (the lowest, if a server holds several). */
export function snatElements(routes: PublicRoute[]): Map<string, string> {
  const out = new Map<string, string>();
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  for (const r of [...routes].sort((a, b) => toInt(a.address) - toInt(b.address))) if (!out.has(r.via)) out.set(r.via, r.address);
  return out;
}

/**
 * Makes the map hold exactly what the routes want; the kernel is only written when it differs.
 * A table without the map (the default network is not made yet) is left to the next pass.
 */
export async function applySnat(table: string, routes: PublicRoute[]): Promise<void> {
  const r = await run('nft', ['-j', 'list', 'map', 'inet', table, SNAT_MAP], { allowFail: true });
  if (r.code !== 0) return;
  const doc = JSON.parse(r.stdout) as { nftables: { map?: { elem?: [string, string][] } }[] };
  const have = new Map((doc.nftables.find((e) => e.map)?.map?.elem ?? []).map(([k, v]) => [k, v]));
  const want = snatElements(routes);
  if (have.size === want.size && [...want].every(([k, v]) => have.get(k) === v)) return;
  const elements = [...want].map(([k, v]) => `${k} : ${v}`).join(', ');
  const script = [`flush map inet ${table} ${SNAT_MAP}`, ...(elements ? [`add element inet ${table} ${SNAT_MAP} { ${elements} }`] : []), ''].join('\n');
  await run('nft', ['-f', '-'], { input: script });
}
