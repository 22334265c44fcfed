/**
 * /nodes/{node}/lxc and /nodes/{node}/qemu: create, config, status and power actions, delete. Checks and
 * messages follow pve-container's and qemu-server's API code (config lock, running state, existence).
 */
import { fail500 } from './errors.ts';
import { checkLock, guestAt, label, prefix } from './guest-common.ts';
import type { Handlers, HandlerContext } from './handlers.ts';
import { applyPending, configHandlers } from './api-guest-config.ts';
import { firewallHandlers } from './api-firewall.ts';
import { qemuHandlers } from './api-qemu.ts';
import { snapshotHandlers } from './api-snapshots.ts';
import { allocVolume, type EmuGuest, freeVolume } from './state.ts';

const DROP = new Set(['node', 'vmid', 'ostemplate', 'password', 'ssh-public-keys', 'start', 'storage', 'unique', 'force', 'restore', 'ignore-unpack-errors', 'bwlimit']);

function createContainer(ctx: HandlerContext): string {
  const vmid = Number(ctx.params.vmid);
  const node = ctx.vars.node!;
  const existing = ctx.state.guests.get(vmid);
  if (existing && !ctx.params.force) return fail500(`CT ${vmid} already exists on node '${existing.node}'`);
  const template = String(ctx.params.ostemplate);
  const [storeId] = template.split(':');
  const store = ctx.state.storages.get(storeId ?? '');
  if (!store) return fail500(`storage '${storeId}' does not exist`);
  if (!store.volumes.some((v) => v.volid === template)) return fail500(`volume '${template}' does not exist`);
  const config: Record<string, string> = { arch: 'amd64', ostype: 'debian', unprivileged: '1', memory: '512', swap: '512', lock: 'create' };
  for (const [k, v] of Object.entries(ctx.params)) if (!DROP.has(k)) config[k] = String(v);
  // rootfs STORAGE:SIZE allocates a volume named after the guest, as PVE does.
  const rootfs = String(ctx.params.rootfs ?? `${ctx.params.storage ?? 'local'}:4`);
  const m = /^([^:,]+):(\d+(?:\.\d+)?)(,.*)?$/.exec(rootfs);
  if (m) {
    let volid: string;
    try {
      volid = allocVolume(ctx.state, m[1]!, vmid, Number(m[2]) * 2 ** 30);
    } catch (err) {
      return fail500(`unable to create CT ${vmid} - ${(err as Error).message}`);
    }
    config.rootfs = `${volid},size=${m[2]}G${m[3] ?? ''}`;
  }
  const guest: EmuGuest = { vmid, type: 'lxc', node, config, status: 'stopped' };
  ctx.state.guests.set(vmid, guest);
  return ctx.task({
    type: 'vzcreate',
    id: String(vmid),
    durationMs: ctx.durations.create,
    holds: vmid,
    effect: () => {
      delete guest.config.lock;
      if (ctx.params.start === '1' || ctx.params.start === true) {
        guest.status = 'running';
        guest.startedAt = Math.floor(ctx.now() / 1000);
      }
    },
    onFail: () => {
      if (ctx.state.guests.get(vmid) === guest) {
        ctx.state.guests.delete(vmid);
        freeGuestVolumes(ctx, vmid);
      }
    },
  });
}

function power(type: 'lxc' | 'qemu', action: 'start' | 'stop' | 'shutdown' | 'reboot') {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    const skiplock = ctx.params.skiplock === '1' || ctx.params.skiplock === true;
    checkLock(g, skiplock);
    if (g.config.template === '1') return fail500(`you can't start a vm if it's a template`);
    if (action === 'start' && g.status === 'running') return fail500(`${label(type)} ${g.vmid} already running`);
    if (action !== 'start' && g.status !== 'running') return fail500(`${label(type)} ${g.vmid} not running`);
    const ms = action === 'start' ? ctx.durations.start : ctx.durations.stop;
    return ctx.task({
      type: `${prefix(type)}${action}`,
      id: String(g.vmid),
      durationMs: ms,
      holds: g.vmid,
      effect: () => {
        if (!ctx.state.guests.has(g.vmid)) throw new Error(`${label(type)} ${g.vmid} does not exist`);
        if (action === 'start' || action === 'reboot') {
          // A (re)start makes new veths (counters from 0) and applies what was pending.
          applyPending(ctx, g);
          g.netin = 0;
          g.netout = 0;
          g.status = 'running';
          g.startedAt = Math.floor(ctx.now() / 1000);
        } else g.status = 'stopped';
      },
    });
  };
}

function destroy(type: 'lxc' | 'qemu') {
  return (ctx: HandlerContext): string => {
    const g = guestAt(ctx, type);
    checkLock(g);
    const force = ctx.params.force === '1' || ctx.params.force === true;
    if (g.status === 'running' && !force) return fail500(`${label(type)} ${g.vmid} is running - destroy failed`);
    return ctx.task({
      type: `${prefix(type)}destroy`,
      id: String(g.vmid),
      durationMs: ctx.durations.destroy,
      holds: g.vmid,
      effect: () => {
        if (ctx.state.guests.get(g.vmid) === g) {
          ctx.state.guests.delete(g.vmid);
          freeGuestVolumes(ctx, g.vmid);
        }
      },
    });
  };
}

/** Frees every volume named after a guest (purge and destroy-unreferenced-disks: rootfs, mount points, unused ones). */
function freeGuestVolumes(ctx: HandlerContext, vmid: number): void {
  for (const st of ctx.state.storages.values()) for (const v of [...st.volumes]) if (v.volid.startsWith(`${st.storage}:vm-${vmid}-disk-`)) freeVolume(ctx.state, v.volid);
}

function status(type: 'lxc' | 'qemu') {
  return (ctx: HandlerContext) => {
    const g = guestAt(ctx, type);
    return {
      vmid: g.vmid,
      name: g.config.hostname ?? g.config.name ?? `${label(type)}${g.vmid}`,
      ...(g.config.template === '1' ? { template: 1 } : {}),
      status: g.status,
      uptime: g.status === 'running' && g.startedAt ? Math.floor(ctx.now() / 1000) - g.startedAt : 0,
      maxmem: Number(g.config.memory ?? 512) * 2 ** 20,
      cpus: Number(g.config.cores ?? 1),
      netin: g.status === 'running' ? (g.netin ?? 0) : 0,
      netout: g.status === 'running' ? (g.netout ?? 0) : 0,
      ...(g.config.lock ? { lock: g.config.lock } : {}),
      ...(g.config.tags ? { tags: g.config.tags } : {}),
      ha: { managed: 0 },
    };
  };
}

/** The guest handlers, by `METHOD template`. */
export const guestHandlers: Handlers = {
  'GET /nodes/{node}/lxc': (ctx) =>
    [...ctx.state.guests.values()]
      .filter((g) => g.type === 'lxc' && g.node === ctx.vars.node)
      .map((g) => ({ vmid: g.vmid, status: g.status, name: g.config.hostname, ...(g.config.tags ? { tags: g.config.tags } : {}), ...(g.config.lock ? { lock: g.config.lock } : {}) })),
  'POST /nodes/{node}/lxc': createContainer,
  'GET /nodes/{node}/lxc/{vmid}/config': (ctx) => {
    const g = guestAt(ctx, 'lxc');
    return { ...g.config, digest: 'emulated' };
  },
  ...configHandlers,
  ...snapshotHandlers,
  ...firewallHandlers,
  'GET /nodes/{node}/lxc/{vmid}/status/current': status('lxc'),
  'POST /nodes/{node}/lxc/{vmid}/status/start': power('lxc', 'start'),
  'POST /nodes/{node}/lxc/{vmid}/status/stop': power('lxc', 'stop'),
  'POST /nodes/{node}/lxc/{vmid}/status/shutdown': power('lxc', 'shutdown'),
  'POST /nodes/{node}/lxc/{vmid}/status/reboot': power('lxc', 'reboot'),
  'DELETE /nodes/{node}/lxc/{vmid}': destroy('lxc'),
  ...qemuHandlers,
  'GET /nodes/{node}/qemu/{vmid}/status/current': status('qemu'),
  'POST /nodes/{node}/qemu/{vmid}/status/start': power('qemu', 'start'),
  'POST /nodes/{node}/qemu/{vmid}/status/stop': power('qemu', 'stop'),
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': power('qemu', 'shutdown'),
  'POST /nodes/{node}/qemu/{vmid}/status/reboot': power('qemu', 'reboot'),
  'DELETE /nodes/{node}/qemu/{vmid}': destroy('qemu'),
};
