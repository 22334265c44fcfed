/**
 * Firewall options of the datacenter and of a container (`/cluster/firewall/options`,
 * `…/lxc/{vmid}/firewall/options`), as pve-firewall keeps them in cluster.fw and <vmid>.fw: only options that
 * were set are answered; a container's take effect only while the datacenter's firewall is enabled.
 */
import { guestAt } from './guest-common.ts';
import type { Handlers } from './handlers.ts';

const NOT_OPTIONS = new Set(['node', 'vmid', 'delete', 'digest']);

/** The firewall options of a container's or a VM's `<vmid>.fw`. */
function guestFirewall(type: 'lxc' | 'qemu'): Handlers {
  return {
    [`GET /nodes/{node}/${type}/{vmid}/firewall/options`]: (ctx) => ({ ...(guestAt(ctx, type).firewall ?? {}), digest: 'emulated' }),
    [`PUT /nodes/{node}/${type}/{vmid}/firewall/options`]: (ctx) => {
      const g = guestAt(ctx, type);
      const options = { ...(g.firewall ?? {}) };
      for (const k of String(ctx.params.delete ?? '').split(/[,;\s]+/).filter(Boolean)) delete options[k];
      for (const [k, v] of Object.entries(ctx.params)) if (!NOT_OPTIONS.has(k)) options[k] = typeof v === 'boolean' ? (v ? 1 : 0) : /^\d+$/.test(String(v)) ? Number(v) : String(v);
      g.firewall = options;
      return null;
    },
  };
}

/** The firewall handlers. */
export const firewallHandlers: Handlers = {
  'GET /cluster/firewall/options': (ctx) => ({ ...ctx.state.firewall, digest: 'emulated' }),
  ...guestFirewall('lxc'),
  ...guestFirewall('qemu'),
};
