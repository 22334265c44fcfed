/**
 * Changing a container's config (`PUT …/lxc/{vmid}/config`, `…/pending`) and its disks (`PUT …/resize`) the way
 * pve-container does: on a running container NICs, memory, new mount points and the "fast-plug" options apply
 * at once, everything else waits in `pending` for the next start; a removed mount point becomes `unusedN`.
 */
import { fail500, PveHttpError } from './errors.ts';
import { checkLock, guestAt } from './guest-common.ts';
import type { HandlerContext, Handlers } from './handlers.ts';
import { allocVolume, type EmuGuest, freeVolume, volumeOf } from './state.ts';

/** Options pve-container writes into the config of a running container at once (LXC_FASTPLUG_OPTIONS). */
const FASTPLUG = new Set(['description', 'onboot', 'startup', 'protection', 'hostname', 'hookscript', 'cores', 'tags', 'lock']);
const NOT_OPTIONS = new Set(['node', 'vmid', 'delete', 'digest', 'revert']);
/** `STORAGE:SIZE_IN_GiB`, the syntax that allocates a new volume. */
const NEW_VOLUME = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d+(?:\.\d+)?)$/i;

/** A size in bytes as PVE prints it in `size=` (the largest unit that divides it). */
export function printSize(bytes: number): string {
  for (const [u, f] of [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) if (bytes % f === 0) return `${bytes / f}${u}`;
  return String(bytes);
}

/** Bytes of a PVE size string (`1G`, `512M`, `1.5G`, a plain number is bytes). */
export function parseSize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(s);
  if (!m) return null;
  const f = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2] as 'K'] ?? 1;
  return Math.round(Number(m[1]) * f);
}

/** The size of a disk option (`…,size=8G`) in bytes; 0 when it says none. */
export function sizeOf(option: string): number {
  const m = /(?:^|,)size=([^,]+)/.exec(option);
  return m ? (parseSize(m[1]!) ?? 0) : 0;
}

/** Replaces (or adds) the `size=` of a disk option. */
export function withSize(option: string, bytes: number): string {
  const parts = option.split(',').filter((p) => !p.startsWith('size='));
  return [...parts, `size=${printSize(bytes)}`].join(',');
}

const unusedKey = (g: EmuGuest) => {
  let n = 0;
  while (g.config[`unused${n}`] !== undefined) n++;
  return `unused${n}`;
};

/** A mount point option with `STORAGE:SIZE` allocates its volume, as create_disks does. */
function allocateIfNew(ctx: HandlerContext, g: EmuGuest, opt: string, value: string): string {
  if (!/^mp\d+$/.test(opt)) return value;
  const first = volumeOf(value);
  const m = NEW_VOLUME.exec(first);
  if (!m) {
    const owner = /:(?:.*\/)?(?:vm|subvol)-(\d+)-disk-\d+/.exec(first)?.[1];
    if (owner && Number(owner) !== g.vmid) fail500(`volume '${first}' belongs to CT ${owner}; move it with move_volume first`);
    return value;
  }
  const bytes = Number(m[2]) * 2 ** 30;
  let volid: string;
  try {
    volid = allocVolume(ctx.state, m[1]!, g.vmid, bytes);
  } catch (err) {
    return fail500(`${opt}: ${(err as Error).message}`);
  }
  const rest = value.split(',').slice(1).filter((p) => !p.startsWith('size='));
  return [volid, ...rest, `size=${printSize(bytes)}`].join(',');
}

/** Removes an option as a stopped container does: a volume mount point's volume is kept as `unusedN`. */
function removeOption(ctx: HandlerContext, g: EmuGuest, opt: string): void {
  const value = g.config[opt];
  if (value === undefined) return;
  if (/^mp\d+$/.test(opt) && !volumeOf(value).startsWith('/')) g.config[unusedKey(g)] = volumeOf(value);
  if (/^unused\d+$/.test(opt)) freeVolume(ctx.state, value);
  delete g.config[opt];
}

/** Applies what waited for the start (vmconfig_apply_pending), at the start of a container. */
export function applyPending(ctx: HandlerContext, g: EmuGuest): void {
  for (const opt of g.pendingDelete ?? []) removeOption(ctx, g, opt);
  for (const [k, v] of Object.entries(g.pending ?? {})) g.config[k] = v;
  delete g.pending;
  delete g.pendingDelete;
}

function bridgeCheck(ctx: HandlerContext, g: EmuGuest, opt: string, value: string): string | null {
  const bridge = /(?:^|,)bridge=([^,]+)/.exec(value)?.[1];
  if (!bridge) return null;
  const node = ctx.state.nodes.get(g.node);
  return node?.bridges.includes(bridge) ? null : `unable to hotplug ${opt}: bridge '${bridge}' does not exist`;
}

function updateConfig(ctx: HandlerContext): null {
  const g = guestAt(ctx, 'lxc');
  checkLock(g);
  const running = g.status === 'running';
  const errors: Record<string, string> = {};
  const deletes = String(ctx.params.delete ?? '').split(/[,;\s]+/).filter(Boolean);
  const sets = Object.entries(ctx.params).filter(([k]) => !NOT_OPTIONS.has(k));
  for (const k of deletes) if (sets.some(([s]) => s === k)) throw new PveHttpError(400, 'Parameter verification failed.', { delete: `cannot set and delete '${k}' at the same time` });
  for (const k of deletes) {
    if (!running || FASTPLUG.has(k) || /^(net|unused)\d+$/.test(k) || k === 'swap') removeOption(ctx, g, k);
    else if (g.config[k] !== undefined) g.pendingDelete = [...new Set([...(g.pendingDelete ?? []), k])];
  }
  for (const [k, raw] of sets) {
    const value = allocateIfNew(ctx, g, k, typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw));
    if (!running) {
      g.config[k] = value;
      continue;
    }
    if (/^net\d+$/.test(k)) {
      const err = bridgeCheck(ctx, g, k, value);
      if (err) errors[k] = err;
      else g.config[k] = value;
    } else if (FASTPLUG.has(k) || k === 'memory' || k === 'swap' || (/^mp\d+$/.test(k) && g.config[k] === undefined)) {
      g.config[k] = value;
    } else {
      g.pending = { ...(g.pending ?? {}), [k]: value };
    }
  }
  if (Object.keys(errors).length > 0) throw new PveHttpError(400, 'Parameter verification failed.', errors);
  return null;
}

const pending = (type: 'lxc' | 'qemu') => (ctx: HandlerContext): unknown[] => {
  const g = guestAt(ctx, type);
  const keys = new Set([...Object.keys(g.config), ...Object.keys(g.pending ?? {}), ...(g.pendingDelete ?? [])]);
  return [...keys].sort().map((key) => ({
    key,
    ...(g.config[key] !== undefined ? { value: g.config[key] } : {}),
    ...(g.pending?.[key] !== undefined ? { pending: g.pending[key] } : {}),
    ...(g.pendingDelete?.includes(key) ? { delete: 1 } : {}),
  }));
};

const resize = (type: 'lxc' | 'qemu') => (ctx: HandlerContext): string => {
  const g = guestAt(ctx, type);
  checkLock(g);
  const disk = String(ctx.params.disk);
  const current = g.config[disk];
  if (current === undefined) return fail500(`disk '${disk}' does not exist`);
  const spec = String(ctx.params.size);
  const add = spec.startsWith('+');
  const asked = parseSize(add ? spec.slice(1) : spec);
  if (asked === null) return fail500('invalid size string');
  const size = sizeOf(current);
  const next = add ? size + asked : asked;
  if (next < size) return fail500('unable to shrink disk size');
  if (next === size) return fail500('disk is already at specified size');
  const volid = volumeOf(current);
  return ctx.task({
    type: 'resize',
    id: String(g.vmid),
    durationMs: ctx.durations.change,
    holds: g.vmid,
    effect: () => {
      const now = g.config[disk];
      if (now === undefined || volumeOf(now) !== volid) throw new Error(`disk '${disk}' changed during the resize`);
      g.config[disk] = withSize(now, next);
      const vol = ctx.state.storages.get(volid.split(':')[0] ?? '')?.volumes.find((v) => v.volid === volid);
      if (vol) vol.size = next;
    },
  });
};

/** The config, pending and resize handlers of containers, and the pending and resize ones of VMs (same rules). */
export const configHandlers: Handlers = {
  'PUT /nodes/{node}/lxc/{vmid}/config': updateConfig,
  'GET /nodes/{node}/lxc/{vmid}/pending': pending('lxc'),
  'PUT /nodes/{node}/lxc/{vmid}/resize': resize('lxc'),
  'GET /nodes/{node}/qemu/{vmid}/pending': pending('qemu'),
  'PUT /nodes/{node}/qemu/{vmid}/resize': resize('qemu'),
};
