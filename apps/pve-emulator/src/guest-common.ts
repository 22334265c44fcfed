/** What every guest handler needs: the guest a path names, its lock check, and PVE's words for its type. */
import { fail500 } from './errors.ts';
import type { HandlerContext } from './handlers.ts';
import type { EmuGuest } from './state.ts';

/** How PVE names a guest type in messages. */
export const label = (type: 'lxc' | 'qemu') => (type === 'lxc' ? 'CT' : 'VM');
/** The worker-type prefix of a guest type (`vzstart`, `qmstart`). */
export const prefix = (type: 'lxc' | 'qemu') => (type === 'lxc' ? 'vz' : 'qm');

/** The guest at `/nodes/{node}/{type}/{vmid}`; PVE reads the config file of that node, so another node's is absent. */
export function guestAt(ctx: HandlerContext, type: 'lxc' | 'qemu'): EmuGuest {
  const vmid = Number(ctx.vars.vmid);
  const g = ctx.state.guests.get(vmid);
  if (!g || g.node !== ctx.vars.node || g.type !== type) {
    return fail500(`Configuration file 'nodes/${ctx.vars.node}/${type === 'lxc' ? 'lxc' : 'qemu-server'}/${vmid}.conf' does not exist`);
  }
  return g;
}

/** Fails as PVE does when the guest's config holds a lock (create, snapshot, rollback …). */
export function checkLock(g: EmuGuest, skiplock = false): void {
  if (g.config.lock && !skiplock) fail500(`${label(g.type)} is locked (${g.config.lock})`);
}

