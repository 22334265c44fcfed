/**
 * Finding our guests in a cluster: every guest Kumulus makes carries the tags `kumulus` and its server id, so
 * one `GET /cluster/resources?type=vm` tells which guest is whose, on which node, in which state.
 */
import type { PveClient } from './client.ts';

/** The server id of a clone still named as at its clone (`kumulus-<id>`); null for any other name. */
const idOfCloneName = (name: string) => (/^kumulus-[0-9a-z]+$/.test(name) ? `srv_${name.slice('kumulus-'.length)}` : null);

/** The tag every guest of ours carries, beside the one with its server id. */
export const OWNER_TAG = 'kumulus';

/** A guest of ours as the cluster lists it. */
export interface LocatedGuest {
  /** Our server id. */
  id: string;
  vmid: number;
  node: string;
  type: 'lxc' | 'qemu';
  /** `running`, `stopped`, or `unknown` while its node is unreachable. */
  status: string;
  lock?: string;
  name: string;
  /** A VM cloned for the server whose config is not set yet (found by its clone name, not by tags). */
  pending?: boolean;
}

interface Resource {
  type: string;
  vmid?: number;
  node?: string;
  status?: string;
  tags?: string;
  lock?: string;
  name?: string;
  template?: number;
}

/** Our server id from a guest's tags (`kumulus;srv_…`); null for a guest that is not ours. */
export function ownerOf(tags: string | undefined): string | null {
  const list = (tags ?? '').split(/[;,\s]+/).filter(Boolean);
  if (!list.includes(OWNER_TAG)) return null;
  return list.find((t) => /^srv_[a-z0-9]+$/.test(t)) ?? null;
}

/** Every guest of ours, by server id; a twin (two guests with one id) keeps the lower vmid and is listed in `twins`. */
export async function locateGuests(client: PveClient): Promise<{ guests: Map<string, LocatedGuest>; twins: LocatedGuest[] }> {
  const resources = await client.get<Resource[]>('/cluster/resources', { type: 'vm' });
  const guests = new Map<string, LocatedGuest>();
  const twins: LocatedGuest[] = [];
  for (const r of resources) {
    if ((r.type !== 'lxc' && r.type !== 'qemu') || r.vmid === undefined || !r.node || r.template) continue;
    const tagged = ownerOf(r.tags);
    // A VM clone carries no tags until its config is set: until then its name says whose it is.
    const cloned = tagged ? null : r.type === 'qemu' ? idOfCloneName(r.name ?? '') : null;
    const id = tagged ?? cloned;
    if (!id) continue;
    const g: LocatedGuest = { id, vmid: r.vmid, node: r.node, type: r.type, status: r.status ?? 'unknown', name: r.name ?? '', ...(r.lock ? { lock: r.lock } : {}), ...(cloned ? { pending: true } : {}) };
    const prev = guests.get(id);
    if (prev) twins.push(prev.vmid < g.vmid ? g : prev);
    if (!prev || g.vmid < prev.vmid) guests.set(id, g);
  }
  return { guests, twins };
}
