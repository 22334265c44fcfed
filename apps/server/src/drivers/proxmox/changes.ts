/**
 * Changing an existing container on Proxmox VE: its NICs (`PUT …/config` with `netN`, hot-plugged while it runs),
 * CPU and memory (live) and its root disk (`PUT …/resize`, a task; it only grows), and a rebuild, which makes the
 * container again from the template under the same vmid. Every change carries the record in the description
 * along, so what Kumulus changed itself is never reported as drift.
 */
import { type InstanceLimits, type InstanceSpec, type NicSpec, PermanentEngineError, type TaskRef } from '../types.ts';
import { PveApiError, type PveClient, type PveParams } from './client.ts';
import type { LocatedGuest } from './guests.ts';
import type { NicBook } from './nic-book.ts';
import { containerParams, netOption } from './params.ts';
import { redescribe, sameOptions } from './record.ts';
import { type TaskPoller, waitForTask } from './tasks.ts';

type Config = Record<string, string | number | undefined>;

const GiB = 2 ** 30;

/** The size in bytes of a disk option (`local-lvm:vm-100-disk-0,size=8G`); 0 when it says none. */
export function diskBytes(option: string | number | undefined): number {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT])?(?:,|$)/.exec(String(option ?? ''));
  if (!m) return 0;
  return Math.round(Number(m[1]) * ({ K: 2 ** 10, M: 2 ** 20, G: GiB, T: 2 ** 40 }[m[2] as 'K'] ?? 1));
}

/** What the change functions need: the client, the task poller, where root disks go, and the NIC book. */
export interface ChangeContext {
  client: PveClient;
  tasks: TaskPoller;
  rootStorage: string;
  nics: NicBook;
  path(g: LocatedGuest): string;
}

/** A guest locked by another task: retried later (transient), since the change was not made. */
function refuseLocked(g: LocatedGuest, what: string): void {
  if (g.lock) throw new PveApiError(500, `CT ${g.vmid} is locked (${g.lock}); ${what} waits until the lock is gone`);
}

/** Makes the guest's NICs and name servers the ones given; live while it runs. */
export async function setGuestNics(c: ChangeContext, id: string, g: LocatedGuest, nics: NicSpec[], dns?: InstanceSpec['dns']): Promise<TaskRef | null> {
  refuseLocked(g, 'the NIC change');
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const params: PveParams = {};
  const del: string[] = [];
  const changes: Config = {};
  const want = new Map(nics.map((n, i) => [`net${i}`, netOption(n, i)]));
  for (const k of Object.keys(config)) {
    if (/^net\d+$/.test(k) && !want.has(k)) {
      del.push(k);
      changes[k] = undefined;
    }
  }
  for (const [k, v] of want) {
    if (sameOptions(config[k] === undefined ? undefined : String(config[k]), v)) continue;
    params[k] = v;
    changes[k] = v;
  }
  const dnsOption = (k: 'nameserver' | 'searchdomain', list: string[] | undefined) => {
    const v = (list ?? []).join(' ');
    if (v && String(config[k] ?? '') !== v) params[k] = v;
    if (!v && config[k] !== undefined) del.push(k);
  };
  dnsOption('nameserver', dns?.nameservers);
  dnsOption('searchdomain', dns?.search);
  changes.nics = nics.map((n) => n.id).join(',');
  const description = redescribe(id, config, changes);
  if (description !== undefined && description !== config.description) params.description = description;
  if (Object.keys(params).length > 0 || del.length > 0) {
    await c.client.put(`${c.path(g)}/config`, { ...params, ...(del.length > 0 ? { delete: del.join(',') } : {}), ...(config.digest ? { digest: String(config.digest) } : {}) });
  }
  c.nics.set(g.vmid, nics.map((n) => n.id));
  return null;
}

/** Sets cores and memory (live) and grows the root disk by a task; a smaller disk is left as it is. */
export async function resizeGuest(c: ChangeContext, id: string, g: LocatedGuest, limits: InstanceLimits): Promise<TaskRef | null> {
  refuseLocked(g, 'the resize');
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const params: PveParams = {};
  if (String(config.cores ?? '') !== String(limits.vcpus)) params.cores = limits.vcpus;
  if (String(config.memory ?? '') !== String(limits.memoryMb)) params.memory = limits.memoryMb;
  if (Object.keys(params).length > 0) {
    const description = redescribe(id, config, params);
    await c.client.put(`${c.path(g)}/config`, { ...params, ...(description !== undefined ? { description } : {}), ...(config.digest ? { digest: String(config.digest) } : {}) });
  }
  if (limits.diskGb * GiB <= diskBytes(config.rootfs)) return null;
  return { node: g.node, id: await c.client.put<string>(`${c.path(g)}/resize`, { disk: 'rootfs', size: `${limits.diskGb}G` }) };
}

/**
 * Sets the guest's hostname. pve-container applies it at once to a running container (it rewrites /etc/hostname
 * and /etc/hosts inside) and on every later start; the record follows, so the rename is not reported as drift.
 */
export async function renameGuest(c: ChangeContext, id: string, g: LocatedGuest, hostname: string): Promise<TaskRef | null> {
  refuseLocked(g, 'the rename');
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const description = redescribe(id, config, { hostname });
  const params: PveParams = {};
  if (String(config.hostname ?? '') !== hostname) params.hostname = hostname;
  if (description !== undefined && description !== config.description) params.description = description;
  if (Object.keys(params).length > 0) await c.client.put(`${c.path(g)}/config`, { ...params, ...(config.digest ? { digest: String(config.digest) } : {}) });
  return null;
}

/**
 * Rebuilds a stopped guest: Proxmox VE cannot put a template under an existing container (a restore takes a
 * backup, and `rootfs` cannot be moved between guests), so the guest is removed and made again from the
 * template with the same vmid, node, options and NICs. Mount points and snapshots would not survive that, so a
 * guest that has them is refused with the reason instead.
 */
export async function rebuildGuest(c: ChangeContext, sp: InstanceSpec, g: LocatedGuest): Promise<TaskRef | null> {
  refuseLocked(g, 'the rebuild');
  if (g.status === 'running') throw new Error(`CT ${g.vmid} is running; a rebuild needs it stopped`);
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const mounts = Object.keys(config).filter((k) => /^mp\d+$/.test(k));
  if (mounts.length > 0) throw new PermanentEngineError(`CT ${g.vmid} has mount points (${mounts.join(', ')}); a rebuild on Proxmox VE makes the container again and would lose them`);
  const snaps = (await c.client.get<{ name: string }[]>(`${c.path(g)}/snapshot`)).filter((s) => s.name !== 'current');
  if (snaps.length > 0) throw new PermanentEngineError(`CT ${g.vmid} has snapshots (${snaps.map((s) => s.name).join(', ')}); a rebuild on Proxmox VE makes the container again and would lose them: remove them first`);
  const removal = await c.client.del<string>(c.path(g), { purge: true, force: true, 'destroy-unreferenced-disks': true });
  await waitForTask(c.tasks, { node: g.node, id: removal });
  const upid = await c.client.post<string>(`/nodes/${encodeURIComponent(g.node)}/lxc`, containerParams(sp, g.vmid, c.rootStorage));
  c.nics.set(g.vmid, sp.nics.map((n) => n.id));
  return { node: g.node, id: upid };
}
