/**
 * Firewall options of the datacenter and of a container (`/cluster/firewall/options`,
 * `…/lxc/{vmid}/firewall/options`), as pve-firewall keeps them in cluster.fw and <vmid>.fw: only options that
 * were set are answered; a container's take effect only while the datacenter's firewall is enabled.
 */
import { guestAt } from './guest-common.ts';
import type { Handlers } from './handlers.ts';

const NOT_OPTIONS = new Set(['node', 'vmid', 'delete', 'digest']);

/** The firewall handlers. */
export const firewallHandlers: Handlers = {
  'GET /cluster/firewall/options': (ctx) => ({ ...ctx.state.firewall, digest: 'emulated' }),
  'GET /nodes/{node}/lxc/{vmid}/firewall/options': (ctx) => ({ ...(guestAt(ctx, 'lxc').firewall ?? {}), digest: 'emulated' }),
  'PUT /nodes/{node}/lxc/{vmid}/firewall/options': (ctx) => {
    const g = guestAt(ctx, 'lxc');
    const options = { ...(g.firewall ?? {}) };
    for (const k of String(ctx.params.delete ?? '').split(/[,;\s]+/).filter(Boolean)) delete options[k];
    for (const [k, v] of Object.entries(ctx.params)) if (!NOT_OPTIONS.has(k)) options[k] = typeof v === 'boolean' ? (v ? 1 : 0) : /^\d+$/.test(String(v)) ? Number(v) : String(v);
    g.firewall = options;
    return null;
  },
};
