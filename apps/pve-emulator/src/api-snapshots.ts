/**
 * Container snapshots (`…/lxc/{vmid}/snapshot`) as pve-container's Snapshot API and PVE::AbstractConfig run them:
 * every call answers a UPID at once and its worker fails with PVE's own words (a name already used, a volume on
 * a storage without the snapshot feature, a locked config, a snapshot that does not exist); while it runs the
 * config carries the lock `snapshot`, `snapshot-delete` or `rollback`. A rollback stops a running container,
 * puts the config of the snapshot back but keeps the current description (volumes added since become `unusedN`) and starts it again when asked.
 */
import { fail500 } from './errors.ts';
import { guestAt, label } from './guest-common.ts';
import type { HandlerContext, Handlers } from './handlers.ts';
import { type EmuGuest, SNAPSHOT_STORAGE_TYPES, volumeOf } from './state.ts';

/** Volume options of a config (rootfs and mount points, not bind mounts). */
function volumes(config: Record<string, string>): string[] {
  return Object.entries(config)
    .filter(([k, v]) => (k === 'rootfs' || /^mp\d+$/.test(k)) && !volumeOf(v).startsWith('/'))
    .map(([, v]) => volumeOf(v));
}

/** Runs a snapshot worker: `check` is what the worker finds wrong first (the task's error), `effect` its work. */
function worker(ctx: HandlerContext, g: EmuGuest, type: string, lock: string, check: () => string | null, effect: () => void): string {
  const base = { type, id: String(g.vmid), durationMs: ctx.durations.change };
  const wrong = g.config.lock ? `${label(g.type)} is locked (${g.config.lock})` : check();
  if (wrong) return ctx.task({ ...base, effect: () => {}, failWith: wrong });
  g.config.lock = lock;
  const unlock = () => {
    if (g.config.lock === lock) delete g.config.lock;
  };
  return ctx.task({
    ...base,
    holds: g.vmid,
    effect: () => {
      unlock();
      effect();
    },
    onFail: unlock,
  });
}

function create(ctx: HandlerContext): string {
  const g = guestAt(ctx, 'lxc');
  const name = String(ctx.params.snapname);
  if (name === 'current' || name === 'vzdump') return fail500(`unable to use snapshot name '${name}' (reserved name)`);
  g.snapshots ??= new Map();
  const snaps = g.snapshots;
  return worker(
    ctx,
    g,
    'vzsnapshot',
    'snapshot',
    () => {
      if (snaps.has(name)) return `snapshot name '${name}' already used`;
      const lacking = volumes(g.config).some((v) => !SNAPSHOT_STORAGE_TYPES.has(ctx.state.storages.get(v.split(':')[0] ?? '')?.type ?? ''));
      return lacking ? 'snapshot feature is not available' : null;
    },
    () => {
      const { lock: _lock, ...config } = g.config;
      snaps.set(name, { name, snaptime: Math.floor(ctx.now() / 1000), description: String(ctx.params.description ?? ''), config });
      g.config.parent = name;
    },
  );
}

function list(ctx: HandlerContext): unknown[] {
  const g = guestAt(ctx, 'lxc');
  const out: unknown[] = [...(g.snapshots?.values() ?? [])].map((s) => ({ name: s.name, description: s.description, snaptime: s.snaptime, ...(s.config.parent ? { parent: s.config.parent } : {}) }));
  out.push({ name: 'current', description: 'You are here!', running: g.status === 'running' ? 1 : 0, ...(g.config.parent ? { parent: g.config.parent } : {}) });
  return out;
}

function remove(ctx: HandlerContext): string {
  const g = guestAt(ctx, 'lxc');
  const name = String(ctx.vars.snapname);
  return worker(
    ctx,
    g,
    'vzdelsnapshot',
    'snapshot-delete',
    () => (g.snapshots?.has(name) ? null : `snapshot '${name}' does not exist`),
    () => {
      const gone = g.snapshots?.get(name);
      if (!gone) return;
      g.snapshots!.delete(name);
      // Children of the removed snapshot (and the current state) now descend from its parent.
      const up = gone.config.parent;
      for (const c of [g.config, ...[...g.snapshots!.values()].map((s) => s.config)]) {
        if (c.parent !== name) continue;
        if (up) c.parent = up;
        else delete c.parent;
      }
    },
  );
}

function rollback(ctx: HandlerContext): string {
  const g = guestAt(ctx, 'lxc');
  const name = String(ctx.vars.snapname);
  const start = ctx.params.start === '1' || ctx.params.start === true;
  const snap = () => g.snapshots?.get(name);
  if (snap() && g.status === 'running') g.status = 'stopped'; // vm_stop with kill, before the volumes roll back
  return worker(
    ctx,
    g,
    'vzrollback',
    'rollback',
    () => (snap() ? null : `snapshot '${name}' does not exist`),
    () => {
      const s = snap()!;
      const kept = new Set(volumes(s.config));
      const orphans = volumes(g.config).filter((v) => !kept.has(v));
      // __snapshot_apply_config: the snapshot's options, but the current description and unused volumes stay.
      const stays = Object.entries(g.config).filter(([k]) => k === 'description' || /^unused\d+$/.test(k));
      for (const k of Object.keys(g.config)) delete g.config[k];
      for (const [k, v] of Object.entries(s.config)) if (k !== 'description' && !/^unused\d+$/.test(k)) g.config[k] = v;
      Object.assign(g.config, Object.fromEntries(stays), { parent: name });
      let n = 0;
      for (const v of orphans) {
        if (Object.values(g.config).includes(v)) continue;
        while (g.config[`unused${n}`] !== undefined) n++;
        g.config[`unused${n}`] = v;
      }
      delete g.pending;
      delete g.pendingDelete;
      if (start) {
        g.status = 'running';
        g.startedAt = Math.floor(ctx.now() / 1000);
        g.netin = 0;
        g.netout = 0;
      }
    },
  );
}

/** The snapshot handlers of containers. */
export const snapshotHandlers: Handlers = {
  'GET /nodes/{node}/lxc/{vmid}/snapshot': list,
  'POST /nodes/{node}/lxc/{vmid}/snapshot': create,
  'DELETE /nodes/{node}/lxc/{vmid}/snapshot/{snapname}': remove,
  'GET /nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config': (ctx) => {
    const s = guestAt(ctx, 'lxc').snapshots?.get(String(ctx.vars.snapname));
    if (!s) return fail500(`snapshot '${ctx.vars.snapname}' does not exist`);
    return { ...s.config, ...(s.description ? { description: s.description } : {}), snaptime: s.snaptime, digest: 'emulated' };
  },
  'POST /nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback': rollback,
};
