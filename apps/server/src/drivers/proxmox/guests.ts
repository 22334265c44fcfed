/**
 * Finding our guests in a cluster: every guest Kumulus makes carries the tags `kumulus` and its server id, so
 * one `GET /cluster/resources?type=vm` tells which guest is whose, on which node, in which state.
 */
import type { PveClient } from './client.ts';

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
    const id = ownerOf(r.tags);
    if (!id) continue;
    const g: LocatedGuest = { id, vmid: r.vmid, node: r.node, type: r.type, status: r.status ?? 'unknown', name: r.name ?? '', ...(r.lock ? { lock: r.lock } : {}) };
    const prev = guests.get(id);
    if (prev) twins.push(prev.vmid < g.vmid ? g : prev);
    if (!prev || g.vmid < prev.vmid) guests.set(id, g);
  }
  return { guests, twins };
}
