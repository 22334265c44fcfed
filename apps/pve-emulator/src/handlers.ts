/**
 * The handler table: one function per `METHOD /template` the emulator serves, plus the cluster-wide, node and
 * access handlers. A schema-valid path without a handler is answered 501 as an emulator gap.
 */
import { fail500, PveHttpError } from './errors.ts';
import type { ParamValue } from './validate.ts';
import { type ClusterState, guestCores, guestMemory } from './state.ts';
import type { TaskPlan } from './tasks.ts';

/** How long tasks take, by kind, in milliseconds (0 allowed). */
export interface Durations {
  create: number;
  start: number;
  stop: number;
  destroy: number;
  /** Resizes, snapshots, rollbacks and snapshot removals. */
  change: number;
}

/** What a handler gets: the checked parameters, the path's variables, and the cluster. */
export interface HandlerContext {
  params: Record<string, ParamValue>;
  vars: Record<string, string>;
  state: ClusterState;
  /** The authenticated token (`user@realm!id`). */
  tokenId: string;
  /** Privileges of the token: path → privilege names. */
  privileges: Record<string, string[]>;
  durations: Durations;
  now: () => number;
  /** Starts a worker task on the path's node, for the token's user; answers the UPID. */
  task(plan: Omit<TaskPlan, 'node' | 'user'>): string;
  taskStatus(node: string, upid: string): Record<string, unknown>;
}

/** One handler: answers the response's `data`. */
export type Handler = (ctx: HandlerContext) => unknown;

/** Handlers by `METHOD template`. */
export type Handlers = Record<string, Handler>;

function nodeUsage(ctx: HandlerContext, node: string): { mem: number; cpu: number } {
  let mem = 0;
  let cpu = 0;
  for (const g of ctx.state.guests.values()) {
    if (g.node === node && g.status === 'running') {
      mem += guestMemory(g);
      cpu += guestCores(g);
    }
  }
  return { mem, cpu };
}

function storageUsed(ctx: HandlerContext, id: string): number {
  return ctx.state.storages.get(id)?.volumes.reduce((a, v) => a + v.size, 0) ?? 0;
}

function resources(ctx: HandlerContext): unknown[] {
  const type = ctx.params.type;
  const out: unknown[] = [];
  if (!type || type === 'node') {
    for (const n of ctx.state.nodes.values()) {
      const u = nodeUsage(ctx, n.name);
      out.push({ id: `node/${n.name}`, type: 'node', node: n.name, status: n.online ? 'online' : 'offline', maxcpu: n.maxcpu, maxmem: n.maxmem, mem: u.mem, cpu: Math.min(1, u.cpu / n.maxcpu / 4), maxdisk: n.maxdisk, disk: 0, level: '' });
    }
  }
  if (!type || type === 'vm') {
    for (const g of ctx.state.guests.values()) {
      const node = ctx.state.nodes.get(g.node);
      out.push({
        id: `${g.type}/${g.vmid}`,
        type: g.type,
        vmid: g.vmid,
        node: g.node,
        name: g.config.hostname ?? g.config.name ?? '',
        // A node that is gone shows its guests as unknown, as pvestatd's last word ages out.
        status: node?.online ? g.status : 'unknown',
        template: g.config.template === '1' ? 1 : 0,
        maxmem: guestMemory(g),
        maxcpu: guestCores(g),
        mem: g.status === 'running' ? guestMemory(g) / 4 : 0,
        netin: g.status === 'running' ? (g.netin ?? 0) : 0,
        netout: g.status === 'running' ? (g.netout ?? 0) : 0,
        ...(g.config.tags ? { tags: g.config.tags } : {}),
        ...(g.config.lock ? { lock: g.config.lock } : {}),
      });
    }
  }
  if (!type || type === 'storage') {
    for (const n of ctx.state.nodes.values()) {
      for (const s of ctx.state.storages.values()) {
        out.push({ id: `storage/${n.name}/${s.storage}`, type: 'storage', node: n.name, storage: s.storage, plugintype: s.type, content: s.content.join(','), status: n.online ? 'available' : 'unknown', shared: s.shared ? 1 : 0, maxdisk: s.total, disk: storageUsed(ctx, s.storage) });
      }
    }
  }
  return out;
}

function nextid(ctx: HandlerContext): string {
  if (ctx.params.vmid !== undefined) {
    const v = Number(ctx.params.vmid);
    if (ctx.state.guests.has(v)) throw new PveHttpError(400, 'Parameter verification failed.', { vmid: `VM ${v} already exists` });
    return String(v);
  }
  for (let v = 100; ; v++) if (!ctx.state.guests.has(v)) return String(v);
}

function node(ctx: HandlerContext) {
  const n = ctx.state.nodes.get(ctx.vars.node ?? '');
  if (!n) return fail500(`hostname lookup '${ctx.vars.node}' failed - failed to get address info for: ${ctx.vars.node}: Name or service not known`);
  return n;
}

function permissions(ctx: HandlerContext): Record<string, Record<string, number>> {
  const want = ctx.params.path ? String(ctx.params.path) : undefined;
  const out: Record<string, Record<string, number>> = {};
  for (const [path, privs] of Object.entries(ctx.privileges)) {
    if (want && !(want === path || want.startsWith(path === '/' ? '/' : `${path}/`))) continue;
    out[want ?? path] = { ...(out[want ?? path] ?? {}), ...Object.fromEntries(privs.map((p) => [p, 1])) };
  }
  return out;
}

/** Cluster, node, storage, task and access handlers. */
export const clusterHandlers: Handlers = {
  'GET /version': () => ({ version: '9.1.3', release: '9.1', repoid: 'emulated' }),
  'GET /cluster/resources': resources,
  'GET /cluster/nextid': nextid,
  'GET /cluster/status': (ctx) => [
    { type: 'cluster', id: 'cluster', name: 'emulated', nodes: ctx.state.nodes.size, quorate: 1, version: 1 },
    ...[...ctx.state.nodes.values()].map((n, i) => ({ type: 'node', id: `node/${n.name}`, name: n.name, nodeid: i + 1, online: n.online ? 1 : 0, local: i === 0 ? 1 : 0, ip: `127.0.0.${i + 1}`, level: '' })),
  ],
  'GET /nodes': (ctx) =>
    [...ctx.state.nodes.values()].map((n) => {
      const u = nodeUsage(ctx, n.name);
      return { node: n.name, status: n.online ? 'online' : 'offline', maxcpu: n.maxcpu, maxmem: n.maxmem, mem: u.mem, cpu: 0.01, maxdisk: n.maxdisk, disk: 0, uptime: 1000, level: '', id: `node/${n.name}`, type: 'node' };
    }),
  'GET /nodes/{node}/status': (ctx) => {
    const n = node(ctx);
    const u = nodeUsage(ctx, n.name);
    return { cpu: 0.01, cpuinfo: { cpus: n.maxcpu, cores: n.maxcpu, sockets: 1, model: 'Emulated CPU' }, memory: { total: n.maxmem, used: u.mem, free: n.maxmem - u.mem }, rootfs: { total: n.maxdisk, used: 0, free: n.maxdisk, avail: n.maxdisk }, uptime: 1000, pveversion: 'pve-manager/9.1.3/emulated', kversion: 'Linux 6.14' };
  },
  'GET /nodes/{node}/network': (ctx) => node(ctx).bridges.map((b) => ({ iface: b, type: 'bridge', active: 1, autostart: 1, bridge_ports: 'eno1', method: 'manual', families: ['inet'] })).filter((_b) => !ctx.params.type || ['bridge', 'any_bridge', 'any_local_bridge'].includes(String(ctx.params.type))),
  'GET /nodes/{node}/storage': (ctx) => {
    node(ctx);
    return [...ctx.state.storages.values()]
      .filter((s) => !ctx.params.content || s.content.includes(String(ctx.params.content)))
      .map((s) => ({ storage: s.storage, type: s.type, content: s.content.join(','), active: 1, enabled: 1, shared: 0, total: s.total, used: storageUsed(ctx, s.storage), avail: s.total - storageUsed(ctx, s.storage) }));
  },
  'GET /nodes/{node}/storage/{storage}/content': (ctx) => {
    node(ctx);
    const s = ctx.state.storages.get(ctx.vars.storage ?? '');
    if (!s) return fail500(`storage '${ctx.vars.storage}' does not exist`);
    return s.volumes.filter((v) => !ctx.params.content || v.content === ctx.params.content).map((v) => ({ volid: v.volid, content: v.content, size: v.size, format: v.content === 'vztmpl' ? 'tzst' : 'raw', ctime: 1_700_000_000 }));
  },
  'GET /storage': (ctx) => [...ctx.state.storages.values()].map((s) => ({ storage: s.storage, type: s.type, content: s.content.join(','), digest: 'emulated' })),
  'GET /nodes/{node}/tasks': (ctx) => {
    node(ctx);
    const vmid = ctx.params.vmid === undefined ? undefined : String(ctx.params.vmid);
    const source = String(ctx.params.source ?? 'archive');
    return [...ctx.state.tasks.values()]
      .filter((t) => t.node === ctx.vars.node && (vmid === undefined || t.id === vmid))
      .filter((t) => (source === 'active' ? t.status === 'running' : source === 'archive' ? t.status === 'stopped' : true))
      .reverse()
      .slice(0, Number(ctx.params.limit ?? 50))
      .map((t) => ({ upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user, ...(t.status === 'stopped' ? { status: t.exitstatus, endtime: t.starttime } : {}) }));
  },
  'GET /nodes/{node}/tasks/{upid}/status': (ctx) => ctx.taskStatus(ctx.vars.node!, ctx.vars.upid!),
  'GET /nodes/{node}/tasks/{upid}/log': (ctx) => {
    const t = ctx.state.tasks.get(ctx.vars.upid!);
    if (!t) throw new PveHttpError(400, 'no such task');
    return t.log.map((line, i) => ({ n: i + 1, t: line }));
  },
  'GET /access/permissions': permissions,
  'GET /nodes/{node}/certificates/info': (ctx) => [{ filename: 'pve-ssl.pem', fingerprint: ctx.state.fingerprint, subject: '/CN=pve-emulator', issuer: '/CN=pve-emulator' }],
};
