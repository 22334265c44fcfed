/**
 * Virtual machines (`/nodes/{node}/qemu`) the way qemu-server treats them: a template is cloned (a task holding
 * both configs; `target` only from shared storage), the clone's config is changed with `PUT …/config` (on a
 * running VM NICs hot-plug and name, tags and description apply at once; CPU, memory and every cloud-init option
 * wait in `pending` until the next start, when the cloud-init drive is made again), disks grow by a task.
 */
import { fail500, PveHttpError } from './errors.ts';
import { checkLock, guestAt } from './guest-common.ts';
import type { HandlerContext, Handlers } from './handlers.ts';
import { allocVolume, type EmuGuest } from './state.ts';

/** Options qemu-server writes into a running VM's config at once (no device behind them). */
const LIVE = new Set(['name', 'description', 'tags', 'onboot', 'protection', 'lock']);
const NOT_OPTIONS = new Set(['node', 'vmid', 'delete', 'digest', 'revert', 'skiplock', 'background_delay', 'force']);
/** Disk options whose volume a full clone copies. */
const DISK = /^(scsi|virtio|sata|ide|efidisk|tpmstate)\d+$/;

function listVms(ctx: HandlerContext): unknown[] {
  return [...ctx.state.guests.values()]
    .filter((g) => g.type === 'qemu' && g.node === ctx.vars.node)
    .map((g) => ({ vmid: g.vmid, status: g.status, name: g.config.name, ...(g.config.template === '1' ? { template: 1 } : {}), ...(g.config.tags ? { tags: g.config.tags } : {}), ...(g.config.lock ? { lock: g.config.lock } : {}) }));
}

function clone(ctx: HandlerContext): string {
  const src = guestAt(ctx, 'qemu');
  const newid = Number(ctx.params.newid);
  const existing = ctx.state.guests.get(newid);
  if (existing) return fail500(`unable to create VM ${newid}: config file already exists`);
  const isTemplate = src.config.template === '1';
  const full = ctx.params.full === undefined ? !isTemplate : ctx.params.full === '1' || ctx.params.full === true;
  if (!full && !isTemplate) throw new PveHttpError(400, 'Parameter verification failed.', { full: 'linked clone feature is only available for templates' });
  if (!isTemplate) checkLock(src);
  const target = ctx.params.target ? String(ctx.params.target) : src.node;
  if (!ctx.state.nodes.has(target)) return fail500(`no such cluster node '${target}'`);
  const storageOf = (v: string) => v.split(':')[0] ?? '';
  const disks = Object.entries(src.config).filter(([k, v]) => DISK.test(k) && !/media=cdrom/.test(v));
  if (target !== src.node) {
    // qemu-server: "Target node is only allowed if the original VM is on shared storage."
    const local = disks.map(([, v]) => storageOf(v)).find((s) => !ctx.state.storages.get(s)?.shared);
    if (local) return fail500(`can't clone VM to node '${target}' (VM uses local storage '${local}')`);
  }
  const storage = ctx.params.storage ? String(ctx.params.storage) : undefined;
  if (storage && !ctx.state.storages.has(storage)) return fail500(`storage '${storage}' does not exist`);
  if (storage && !full) throw new PveHttpError(400, 'Parameter verification failed.', { storage: 'option is only allowed for full clones' });
  const config: Record<string, string> = { lock: 'clone' };
  for (const [k, v] of Object.entries(src.config)) if (k !== 'template' && k !== 'lock' && !/^unused\d+$/.test(k)) config[k] = v;
  if (ctx.params.name !== undefined) config.name = String(ctx.params.name);
  else config.name = `Copy-of-VM-${src.config.name ?? src.vmid}`;
  if (ctx.params.description !== undefined) config.description = String(ctx.params.description);
  for (const [k, v] of disks) {
    const size = /(?:^|,)size=(\d+)G/.exec(v)?.[1] ?? '1';
    let volid: string;
    try {
      volid = allocVolume(ctx.state, storage ?? storageOf(v), newid, Number(size) * 2 ** 30);
    } catch (err) {
      return fail500(`clone failed: ${(err as Error).message}`);
    }
    config[k] = [volid, ...v.split(',').slice(1)].join(',');
  }
  // The cloud-init drive is made again for the clone (vm-NEWID-cloudinit).
  for (const [k, v] of Object.entries(config)) if (/media=cdrom/.test(v) && /cloudinit/.test(v)) config[k] = `${storageOf(v)}:vm-${newid}-cloudinit,media=cdrom`;
  const guest: EmuGuest = { vmid: newid, type: 'qemu', node: target, config, status: 'stopped' };
  ctx.state.guests.set(newid, guest);
  return ctx.task({
    type: 'qmclone',
    id: String(src.vmid),
    durationMs: ctx.durations.create,
    holds: newid,
    effect: () => {
      delete guest.config.lock;
    },
    onFail: () => {
      if (ctx.state.guests.get(newid) === guest) {
        ctx.state.guests.delete(newid);
        for (const st of ctx.state.storages.values()) st.volumes = st.volumes.filter((v) => !v.volid.startsWith(`${st.storage}:vm-${newid}-disk-`));
      }
    },
  });
}

/** A NIC as qemu-server prints it: `MODEL=MAC` first (a MAC made up when none is given), the rest as given. */
function printNet(value: string): string {
  const parts = value.split(',');
  const model = parts.find((p) => p.startsWith('model='))?.slice(6);
  if (!model) return value;
  const mac = parts.find((p) => p.startsWith('macaddr='))?.slice(8) ?? 'BC:24:11:00:00:02';
  return [`${model}=${mac.toUpperCase()}`, ...parts.filter((p) => !p.startsWith('model=') && !p.startsWith('macaddr='))].join(',');
}

function updateConfig(ctx: HandlerContext): null {
  const g = guestAt(ctx, 'qemu');
  checkLock(g, ctx.params.skiplock === '1' || ctx.params.skiplock === true);
  const running = g.status === 'running';
  const deletes = String(ctx.params.delete ?? '').split(/[,;\s]+/).filter(Boolean);
  const sets = Object.entries(ctx.params).filter(([k]) => !NOT_OPTIONS.has(k));
  for (const k of deletes) if (sets.some(([s]) => s === k)) throw new PveHttpError(400, 'Parameter verification failed.', { delete: `cannot set and delete '${k}' at the same time` });
  if (ctx.params.digest !== undefined && String(ctx.params.digest) !== 'emulated') return fail500('detected modified configuration - file changed by other user? Try again.');
  const errors: Record<string, string> = {};
  for (const k of deletes) {
    if (!running || LIVE.has(k) || /^net\d+$/.test(k)) delete g.config[k];
    else if (g.config[k] !== undefined) g.pendingDelete = [...new Set([...(g.pendingDelete ?? []), k])];
  }
  for (const [k, raw] of sets) {
    const value = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
    if (/^net\d+$/.test(k)) {
      const bridge = /(?:^|,)bridge=([^,]+)/.exec(value)?.[1];
      if (bridge && !ctx.state.nodes.get(g.node)?.bridges.includes(bridge)) {
        errors[k] = `bridge '${bridge}' does not exist`;
        continue;
      }
    }
    const stored = /^net\d+$/.test(k) ? printNet(value) : value;
    if (!running || LIVE.has(k) || /^net\d+$/.test(k)) g.config[k] = stored;
    else g.pending = { ...(g.pending ?? {}), [k]: value };
  }
  if (Object.keys(errors).length > 0) throw new PveHttpError(400, 'Parameter verification failed.', errors);
  return null;
}

/** The QEMU handlers beyond the ones shared with containers (status, power, delete, resize, pending). */
export const qemuHandlers: Handlers = {
  'GET /nodes/{node}/qemu': listVms,
  'POST /nodes/{node}/qemu/{vmid}/clone': clone,
  'GET /nodes/{node}/qemu/{vmid}/config': (ctx) => {
    const g = guestAt(ctx, 'qemu');
    return { ...g.config, digest: 'emulated' };
  },
  'PUT /nodes/{node}/qemu/{vmid}/config': updateConfig,
};
