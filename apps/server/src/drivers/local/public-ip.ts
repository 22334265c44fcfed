/**
 * Routed public IPv4 addresses on the local host. For each address assigned to an instance:
 * the address sits on the instance's public NIC (eth<n>, on the default bridge) as a /32, live
 * and in its LXC config (so a restart keeps it); the host routes the /32 to the NIC's private
 * address (a route of our own protocol number, so we find ours again); and the host answers
 * ARP for it on the pool's uplink (a proxy neighbour entry), so the upstream router sends it
 * here. Replies leave through the default gateway unmasqueraded: their source is public; and
 * what the server starts itself is sent from the public address too (public-ip-snat.ts).
 * `apply` compares all three with the plan and removes what no route wants.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicIpDriver, PublicIpPlan, PublicRoute, PublicRoute6 } from '../types.ts';
import { broadcastOf } from './config.ts';
import { run } from './exec.ts';
import { lxcInfo } from './lxc.ts';
import { applySnat } from './public-ip-snat.ts';
import { writeConfigFile } from './instance-files.ts';
import { applyHost6, GATEWAY6 } from './public-ip6.ts';

/** The routing protocol number our host routes carry (`ip route … proto 75`); 75 is unassigned in rt_protos. */
export const ROUTE_PROTO = '75';

const BEGIN = '# kumulus public-ip begin';
const END = '# kumulus public-ip end';

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Options of the public-IP facet. */
export interface LocalPublicIpOptions {
  lxcPath: string;
  /** The default network's bridge: public NICs plug into it, and our routes point into it. */
  bridge: string;
  /** The default network's nft table, whose SNAT map sends a server's traffic from its public IPv4. */
  nftTable?: string;
}

/** The public-IP lines of an instance's LXC config, as `apply` writes them. */
export function publicConfigBlock(routes: PublicRoute[], routes6: PublicRoute6[] = []): string {
  if (routes.length + routes6.length === 0) return '';
  const lines = [
    ...routes.map((r) => `lxc.net.${r.nicIndex}.ipv4.address = ${r.address}/32 ${broadcastOf(`${r.address}/32`)}`),
    // The IPv6 default route (via the bridge's fe80::1) is set live on every pass, not by LXC.
    ...routes6.map((r) => `lxc.net.${r.nicIndex}.ipv6.address = ${r.host}/64`),
  ];
  return [BEGIN, ...lines, END, ''].join('\n');
}

/** The config text with its public-IP block replaced by `block`. */
export function withPublicBlock(config: string, block: string): string {
  const start = config.indexOf(BEGIN);
  const end = config.indexOf(END);
  const base = start >= 0 && end > start ? config.slice(0, start) + config.slice(end + END.length + 1) : config;
  return base + block;
}

/** Creates the routed public-IP facet of the local engine. */
export function createLocalPublicIps(opts: LocalPublicIpOptions): PublicIpDriver {
  const { lxcPath, bridge } = opts;

  async function hostRoutes(plan: PublicIpPlan) {
    const r = await run('ip', ['-j', '-4', 'route', 'show', 'table', 'main', 'proto', ROUTE_PROTO, 'dev', bridge], { allowFail: true });
    // A bridge that is not there yet holds no routes of ours; the next pass makes them.
    const have = r.code === 0 ? (JSON.parse(r.stdout || '[]') as { dst: string; gateway?: string }[]) : [];
    const want = new Map(plan.routes.map((x) => [x.address, x.via]));
    const lines: string[] = [];
    for (const h of have) {
      const dst = h.dst.replace(/\/32$/, '');
      if (want.get(dst) !== h.gateway) lines.push(`route del ${dst}/32 dev ${bridge} proto ${ROUTE_PROTO}`);
    }
    for (const [dst, via] of want) {
      if (!have.some((h) => h.dst.replace(/\/32$/, '') === dst && h.gateway === via)) lines.push(`route replace ${dst}/32 via ${via} dev ${bridge} proto ${ROUTE_PROTO}`);
    }
    if (lines.length) await run('ip', ['-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') });
  }

  async function proxies(plan: PublicIpPlan) {
    const uplinks = new Set([...plan.pools.map((p) => p.uplink), ...plan.routes.map((r) => r.uplink)]);
    const lines: string[] = [];
    const missing: string[] = [];
    for (const uplink of uplinks) {
      const r = await run('ip', ['-j', '-4', 'neigh', 'show', 'proxy', 'dev', uplink], { allowFail: true });
      // One pool's missing uplink must not keep the others' addresses unannounced.
      if (r.code !== 0) {
        missing.push(uplink);
        continue;
      }
      const have = new Set((JSON.parse(r.stdout || '[]') as { dst: string }[]).map((e) => e.dst));
      const want = new Set(plan.routes.filter((x) => x.uplink === uplink).map((x) => x.address));
      // Only entries inside our pools are ours: the operator's own proxy entries stay.
      const ours = (a: string) => plan.pools.some((p) => p.uplink === uplink && toInt(a) >= p.first && toInt(a) <= p.last);
      for (const a of have) if (!want.has(a) && ours(a)) lines.push(`neigh del proxy ${a} dev ${uplink}`);
      for (const a of want) if (!have.has(a)) lines.push(`neigh replace proxy ${a} dev ${uplink}`);
      // The kernel answers proxied ARP after a random delay of up to 0.8 s by default (proxy_delay),
      // which the first packet to a freshly assigned address waits out; answer at once instead.
      if (want.size) await writeFile(`/proc/sys/net/ipv4/neigh/${uplink}/proxy_delay`, '0\n');
    }
    if (lines.length) await run('ip', ['-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') });
    if (missing.length) throw new Error(`the uplink of an IP pool is not on this host: ${missing.join(', ')}`);
  }

  /** Makes a running instance hold exactly its public /32s on its public NIC. */
  /** Makes a running instance hold exactly its public /64 addresses, and the IPv6 default route while it has one. */
  async function live6(pid: number, routes6: PublicRoute6[], had6: { nic: number; address: string }[], nicIndexes: Set<number>) {
    for (const nic of nicIndexes) {
      const dev = `eth${nic}`;
      const want = new Set(routes6.filter((x) => x.nicIndex === nic).map((x) => x.host));
      const r = await run('nsenter', ['-t', String(pid), '-n', 'ip', '-j', '-6', 'addr', 'show', 'dev', dev, 'scope', 'global'], { allowFail: true });
      if (r.code !== 0) continue;
      const info = (JSON.parse(r.stdout || '[]') as { addr_info?: { local: string }[] }[])[0]?.addr_info ?? [];
      const have = new Set(info.map((a) => a.local));
      // Only addresses this block put there are ours to take away.
      const gone = had6.filter((h) => h.nic === nic && have.has(h.address) && !want.has(h.address)).map((h) => `addr del ${h.address}/64 dev ${dev}`);
      const added = [...want].filter((a) => !have.has(a)).map((a) => `addr add ${a}/64 dev ${dev} nodad`);
      const route = want.size ? [`route replace default via ${GATEWAY6} dev ${dev}`] : [];
      const lines = [...gone, ...added, ...route];
      if (lines.length) await run('nsenter', ['-t', String(pid), '-n', 'ip', '-6', '-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') });
      if (!want.size && had6.some((h) => h.nic === nic)) await run('nsenter', ['-t', String(pid), '-n', 'ip', '-6', 'route', 'del', 'default', 'via', GATEWAY6, 'dev', dev], { allowFail: true });
    }
  }

  async function live(id: string, pid: number, routes: PublicRoute[], nicIndexes: Set<number>) {
    for (const nic of nicIndexes) {
      const dev = `eth${nic}`;
      const r = await run('nsenter', ['-t', String(pid), '-n', 'ip', '-j', '-4', 'addr', 'show', 'dev', dev], { allowFail: true });
      if (r.code !== 0) continue; // the guest has no such NIC (yet): its config brings the address at start
      const info = (JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[])[0]?.addr_info ?? [];
      const have = new Set(info.filter((a) => a.prefixlen === 32).map((a) => a.local));
      const want = new Set(routes.filter((x) => x.nicIndex === nic).map((x) => x.address));
      const lines = [...[...have].filter((a) => !want.has(a)).map((a) => `addr del ${a}/32 dev ${dev}`), ...[...want].filter((a) => !have.has(a)).map((a) => `addr add ${a}/32 dev ${dev}`)];
      if (lines.length) await run('nsenter', ['-t', String(pid), '-n', 'ip', '-batch', '-'], { input: lines.map((l) => `${l}\n`).join(''), allowFail: false }).catch((e: Error) => {
        throw new Error(`public IPs of ${id}: ${e.message}`);
      });
    }
  }

  async function instances(plan: PublicIpPlan) {
    const byInstance = new Map<string, PublicRoute[]>();
    for (const r of plan.routes) byInstance.set(r.instance, [...(byInstance.get(r.instance) ?? []), r]);
    const byInstance6 = new Map<string, PublicRoute6[]>();
    for (const r of plan.routes6) byInstance6.set(r.instance, [...(byInstance6.get(r.instance) ?? []), r]);
    for (const entry of await readdir(lxcPath).catch(() => [] as string[])) {
      if (!entry.startsWith('srv_')) continue;
      const path = join(lxcPath, entry, 'config');
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text === null) continue;
      const routes = byInstance.get(entry) ?? [];
      const routes6 = byInstance6.get(entry) ?? [];
      const start = text.indexOf(BEGIN);
      const had = start < 0 ? [] : [...text.slice(start).matchAll(/^lxc\.net\.(\d+)\.ipv4\.address = (\S+)\/32/gm)];
      const had6 = start < 0 ? [] : [...text.slice(start).matchAll(/^lxc\.net\.(\d+)\.ipv6\.address = (\S+)\/64/gm)].map((m) => ({ nic: Number(m[1]), address: m[2]! }));
      if (routes.length + routes6.length === 0 && had.length + had6.length === 0) continue;
      const next = withPublicBlock(text, publicConfigBlock(routes, routes6));
      if (next !== text) await writeConfigFile(path, next);
      const info = await lxcInfo(lxcPath, entry);
      if (info?.state === 'RUNNING' && info.pid) {
        const nics = new Set([...routes.map((r) => r.nicIndex), ...had.map((m) => Number(m[1]))]);
        await live(entry, info.pid, routes, nics);
        await live6(info.pid, routes6, had6, new Set([...routes6.map((r) => r.nicIndex), ...had6.map((h) => h.nic)]));
      }
    }
  }

  return {
    modes: ['routed'],
    async apply(plan) {
      // Forwarding is on already for the default network's NAT; set again, it costs nothing.
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
      await instances(plan);
      await hostRoutes(plan);
      await proxies(plan);
      await applyHost6(plan, bridge, ROUTE_PROTO);
      if (opts.nftTable) await applySnat(opts.nftTable, plan.routes);
    },
  };
}
