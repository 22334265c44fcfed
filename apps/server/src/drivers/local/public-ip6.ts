/**
 * The host half of routed public IPv6 /64s: each /64 is routed on-link into the default bridge
 * (the server answers neighbour solicitations for the address it holds), the server's address
 * is answered for on the pool's uplink (proxy NDP), and the bridge carries `fe80::1`, the
 * server's IPv6 default gateway. Like IPv4, our routes carry protocol 75 and only proxy entries
 * inside our pools are ours to remove.
 */
import { writeFile } from 'node:fs/promises';
import { ipv6ToBigInt } from '../../modules/network/public-ranges.ts';
import type { PublicIpPlan } from '../types.ts';
import { run } from './exec.ts';

/** The link-local address the default bridge holds as the servers' IPv6 gateway. */
export const GATEWAY6 = 'fe80::1';

const batch = (lines: string[]) => (lines.length ? run('ip', ['-6', '-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') }) : null);

/** Converges the host's IPv6 routes, gateway address and proxy NDP entries to the plan. */
export async function applyHost6(plan: PublicIpPlan, bridge: string, proto: string): Promise<void> {
  if (plan.routes6.length) {
    // Forwarding IPv6 is what routing a /64 to a server means; proxy NDP answers only where it is on.
    await writeFile('/proc/sys/net/ipv6/conf/all/forwarding', '1\n');
    await run('ip', ['-6', 'addr', 'replace', `${GATEWAY6}/64`, 'dev', bridge, 'nodad']);
  }
  const r = await run('ip', ['-j', '-6', 'route', 'show', 'table', 'main', 'proto', proto, 'dev', bridge], { allowFail: true });
  const have = new Set(r.code === 0 ? (JSON.parse(r.stdout || '[]') as { dst: string }[]).map((x) => x.dst) : []);
  const want = new Set(plan.routes6.map((x) => x.prefix));
  await batch([
    ...[...have].filter((d) => !want.has(d)).map((d) => `route del ${d} dev ${bridge} proto ${proto}`),
    ...[...want].filter((d) => !have.has(d)).map((d) => `route replace ${d} dev ${bridge} proto ${proto}`),
  ]);

  const uplinks = new Set([...plan.pools6.map((p) => p.uplink), ...plan.routes6.map((x) => x.uplink)]);
  const lines: string[] = [];
  const missing: string[] = [];
  for (const uplink of uplinks) {
    const n = await run('ip', ['-j', '-6', 'neigh', 'show', 'proxy', 'dev', uplink], { allowFail: true });
    if (n.code !== 0) {
      missing.push(uplink);
      continue;
    }
    const proxied = new Set((JSON.parse(n.stdout || '[]') as { dst: string }[]).map((e) => e.dst));
    const wanted = new Set(plan.routes6.filter((x) => x.uplink === uplink).map((x) => x.host));
    const ours = (a: string) => {
      const v = ipv6ToBigInt(a);
      return v !== null && plan.pools6.some((p) => p.uplink === uplink && v >= p.first && v < p.first + (BigInt(p.size) << 64n));
    };
    for (const a of proxied) if (!wanted.has(a) && ours(a)) lines.push(`neigh del proxy ${a} dev ${uplink}`);
    for (const a of wanted) if (!proxied.has(a)) lines.push(`neigh replace proxy ${a} dev ${uplink}`);
    if (wanted.size) await writeFile(`/proc/sys/net/ipv6/conf/${uplink}/proxy_ndp`, '1\n');
  }
  await batch(lines);
  if (missing.length) throw new Error(`the uplink of an IP pool is not on this host: ${missing.join(', ')}`);
}
