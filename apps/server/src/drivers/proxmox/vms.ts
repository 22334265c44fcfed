/**
 * Virtual machines on Proxmox VE (`/nodes/{node}/qemu`): a full clone of the cloud-init template named after the
 * image on the node placed on, then one `PUT …/config` with everything cloud-init needs (user, password, SSH
 * keys, `ipconfigN` per NIC, name servers), size, NICs, tags and the record, then the disk grown by a task.
 *
 * The clone cannot carry tags, so it is named `kumulus-<server id>` until its config is set: a create cut short
 * (a lost answer, a killed process) finds that guest by its name and goes on with it, so no twin is ever made.
 */
import type { InstanceLimits, InstanceSpec, NicSpec, TaskRef } from '../types.ts';
import { PermanentEngineError } from '../types.ts';
import { PveApiError, type PveClient, type PveParams } from './client.ts';
import { diskBytes } from './changes.ts';
import { OWNER_TAG, type LocatedGuest } from './guests.ts';
import { type NodeRole, placeInstance } from './placement.ts';
import { describe, recordOf, redescribe, sameOptions } from './record.ts';
import { retryTransient, type TaskPoller, waitForTask } from './tasks.ts';

type Config = Record<string, string | number | undefined>;

const GiB = 2 ** 30;
/** What the engine-level image of a VM is: the name of the templates that provide it. */
export const VM_IMAGE_PREFIX = 'qemu-template:';
/** The name a clone has until its config is set. */
export const cloneName = (id: string) => `kumulus-${id.replace(/^srv_/, '')}`;

/**
 * The `netN` of a VM's NIC (virtio, its MAC, held to its address by the firewall). Written with the schema's own
 * keys; qemu-server prints it back as `virtio=MAC,…`, which sameOptions reads as the same.
 */
export function vmNetOption(n: NicSpec): string {
  return `model=virtio,macaddr=${n.mac.toUpperCase()},bridge=${n.link},firewall=1`;
}

/** The `ipconfigN` cloud-init gives the NIC. */
export function ipconfigOption(n: NicSpec): string {
  return `ip=${n.ipv4}${n.gateway ? `,gw=${n.gateway}` : ''}${n.ipv6 ? `,ip6=${n.ipv6}` : ''}`;
}

/** PVE wants `sshkeys` URL-encoded, spaces as %20 (its own GUI encodes so; `+` would stay a plus). */
const encodeKeys = (keys: string[]) => encodeURIComponent(keys.join('\n')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The config a clone gets for `sp`: cloud-init, size, NICs, tags and the record of what was set. */
export function vmConfig(sp: InstanceSpec, current: Config): PveParams {
  const p: PveParams = { name: sp.hostname, cores: sp.vcpus, memory: sp.memoryMb, tags: `${OWNER_TAG};${sp.id}`, ciuser: 'root' };
  sp.nics.forEach((n, i) => {
    p[`net${i}`] = vmNetOption(n);
    p[`ipconfig${i}`] = ipconfigOption(n);
  });
  if (sp.sshKeys.length > 0) p.sshkeys = encodeKeys(sp.sshKeys);
  // cloud-init takes a crypt(3) hash as the password (chpasswd with hashed passwords), so the plain one never leaves.
  if (sp.rootPasswordHash) p.cipassword = sp.rootPasswordHash;
  if (sp.dns && sp.dns.nameservers.length > 0) p.nameserver = sp.dns.nameservers.join(' ');
  if (sp.dns && sp.dns.search.length > 0) p.searchdomain = sp.dns.search.join(' ');
  const extra = Object.keys(current).filter((k) => /^(net|ipconfig)\d+$/.test(k) && p[k] === undefined);
  if (extra.length > 0) p.delete = extra.join(',');
  p.description = describe(sp.id, { ...recordOf(p), nics: sp.nics.map((n) => n.id).join(',') });
  return p;
}

interface Resource {
  type: string;
  vmid?: number;
  node?: string;
  name?: string;
  template?: number;
  status?: string;
}

/** The templates that provide `image`, by node. */
async function templatesOf(client: PveClient, image: string): Promise<Map<string, number>> {
  const name = image.slice(VM_IMAGE_PREFIX.length);
  const out = new Map<string, number>();
  for (const r of await client.get<Resource[]>('/cluster/resources', { type: 'vm' })) {
    if (r.type === 'qemu' && r.template === 1 && r.name === name && r.node && r.vmid !== undefined && !out.has(r.node)) out.set(r.node, r.vmid);
  }
  return out;
}

/** What a VM create needs. */
export interface VmContext {
  client: PveClient;
  tasks: TaskPoller;
  rootStorage: string;
  roles: Record<string, NodeRole> | undefined;
  path(g: Pick<LocatedGuest, 'node' | 'type' | 'vmid'>): string;
}

/** Clones and configures a VM for `sp`, or goes on with the clone a create cut short left (`found`). */
export async function createVm(c: VmContext, sp: InstanceSpec, found: LocatedGuest | null): Promise<TaskRef | null> {
  let g = found;
  if (!g) {
    const templates = await templatesOf(c.client, sp.image);
    if (templates.size === 0) throw new PermanentEngineError(`no VM template named '${sp.image.slice(VM_IMAGE_PREFIX.length)}' is on the cluster`);
    // A template on local storage clones only on its own node: place among the nodes that hold one.
    const node = await placeInstance(c.client, sp.memoryMb, c.roles, [...templates.keys()]);
    const template = templates.get(node)!;
    g = await cloneTemplate(c, sp, node, template);
  }
  if (g.lock) {
    const holder = await c.tasks.activeFor(g.node, g.vmid);
    if (holder) await waitForTask(c.tasks, holder);
  }
  // The disk first, the config (with the tags that make the guest ours) last: a create cut short in between
  // still finds the clone by its name and grows the disk again if it has to.
  // Each step is retried on a lost answer or a 5xx on its own, so one fault does not undo the clone before it.
  const guest = g;
  const before = await retryTransient(() => c.client.get<Config>(`${c.path(guest)}/config`));
  const grow = await growDisk(c, guest, before, sp.diskGb);
  if (grow) await waitForTask(c.tasks, grow);
  const current = grow ? await retryTransient(() => c.client.get<Config>(`${c.path(guest)}/config`)) : before;
  await retryTransient(() => c.client.put(`${c.path(guest)}/config`, { ...vmConfig(sp, current), ...(current.digest ? { digest: String(current.digest) } : {}) }));
  return null;
}

async function cloneTemplate(c: VmContext, sp: InstanceSpec, node: string, template: number): Promise<LocatedGuest> {
  // nextid is only a hint: another client may take the id before our clone lands.
  for (let attempt = 0; attempt < 5; attempt++) {
    const vmid = Number(await c.client.get<string>('/cluster/nextid'));
    try {
      const upid = await c.client.post<string>(`/nodes/${encodeURIComponent(node)}/qemu/${template}/clone`, { newid: vmid, name: cloneName(sp.id), full: true, storage: c.rootStorage });
      await waitForTask(c.tasks, { node, id: upid });
      return { id: sp.id, vmid, node, type: 'qemu', status: 'stopped', name: cloneName(sp.id) };
    } catch (err) {
      if (err instanceof PveApiError && /already exists/.test(err.message)) continue;
      throw err;
    }
  }
  throw new Error('no free vmid after 5 tries: each one /cluster/nextid offered was taken before the clone arrived');
}

/** Grows the first disk (`scsi0`) to `diskGb` by a task; never shrinks. */
async function growDisk(c: VmContext, g: LocatedGuest, config: Config, diskGb: number): Promise<TaskRef | null> {
  const disk = ['scsi0', 'virtio0', 'sata0'].find((k) => config[k] !== undefined);
  if (!disk || diskGb * GiB <= diskBytes(config[disk])) return null;
  return { node: g.node, id: await c.client.put<string>(`${c.path(g)}/resize`, { disk, size: `${diskGb}G` }) };
}

/** Sets a VM's NICs (hot-plugged while it runs) and their cloud-init addresses (for its next start). */
export async function setVmNics(c: VmContext, id: string, g: LocatedGuest, nics: NicSpec[], dns?: InstanceSpec['dns']): Promise<TaskRef | null> {
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const params: PveParams = {};
  const del: string[] = [];
  const want = new Map<string, string>();
  nics.forEach((n, i) => {
    want.set(`net${i}`, vmNetOption(n));
    want.set(`ipconfig${i}`, ipconfigOption(n));
  });
  for (const k of Object.keys(config)) if (/^(net|ipconfig)\d+$/.test(k) && !want.has(k)) del.push(k);
  for (const [k, v] of want) if (!(k.startsWith('net') ? sameOptions(String(config[k] ?? ''), v) && config[k] !== undefined : String(config[k] ?? '') === v)) params[k] = v;
  const ns = (dns?.nameservers ?? []).join(' ');
  if (ns && String(config.nameserver ?? '') !== ns) params.nameserver = ns;
  const changes: Config = Object.fromEntries([...Object.entries(params), ...del.map((k) => [k, undefined])]);
  changes.nics = nics.map((n) => n.id).join(',');
  const description = redescribe(id, config, changes);
  if (description !== undefined && description !== config.description) params.description = description;
  if (Object.keys(params).length > 0 || del.length > 0) await c.client.put(`${c.path(g)}/config`, { ...params, ...(del.length > 0 ? { delete: del.join(',') } : {}), ...(config.digest ? { digest: String(config.digest) } : {}) });
  return null;
}

/** Sets cores and memory (pending until the next start on a running VM, as qemu-server keeps them) and grows the disk. */
export async function resizeVm(c: VmContext, id: string, g: LocatedGuest, limits: InstanceLimits): Promise<TaskRef | null> {
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const params: PveParams = {};
  if (String(config.cores ?? '') !== String(limits.vcpus)) params.cores = limits.vcpus;
  if (String(config.memory ?? '') !== String(limits.memoryMb)) params.memory = limits.memoryMb;
  if (Object.keys(params).length > 0) {
    const description = redescribe(id, config, params);
    await c.client.put(`${c.path(g)}/config`, { ...params, ...(description !== undefined ? { description } : {}), ...(config.digest ? { digest: String(config.digest) } : {}) });
  }
  return growDisk(c, g, config, limits.diskGb);
}

/** Renames a VM: its name, which cloud-init gives the guest as its hostname at the next start. */
export async function renameVm(c: VmContext, id: string, g: LocatedGuest, hostname: string): Promise<TaskRef | null> {
  const config = await c.client.get<Config>(`${c.path(g)}/config`);
  const params: PveParams = {};
  if (String(config.name ?? '') !== hostname) params.name = hostname;
  const description = redescribe(id, config, { name: hostname });
  if (description !== undefined && description !== config.description) params.description = description;
  if (Object.keys(params).length > 0) await c.client.put(`${c.path(g)}/config`, { ...params, ...(config.digest ? { digest: String(config.digest) } : {}) });
  return null;
}

/** A VM's config as it will be after its next start (what is pending counts as set), for the drift check. */
export async function effectiveVmConfig(client: PveClient, guestPath: string): Promise<Config> {
  const entries = await client.get<{ key: string; value?: string | number; pending?: string | number; delete?: number }[]>(`${guestPath}/pending`);
  const out: Config = {};
  for (const e of entries) if (!e.delete) out[e.key] = e.pending ?? e.value;
  return out;
}
