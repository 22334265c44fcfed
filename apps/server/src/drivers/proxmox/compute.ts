/**
 * The compute facet on Proxmox VE: containers through `/nodes/{node}/lxc`. Every mutation answers its UPID;
 * a guest is found by its tags before anything is made (never a twin), its vmid comes from `/cluster/nextid`
 * with a retry when another client took it first, and a locked guest hands back the task holding it.
 */
import { type ComputeDriver, type InstanceObservation, type InstanceSpec, PermanentEngineError, type TaskRef, type TaskState } from '../types.ts';
import { type ChangeContext, rebuildGuest, renameGuest, resizeGuest, setGuestNics } from './changes.ts';
import { PveApiError, type PveClient } from './client.ts';
import { ensureAntiSpoofing } from './firewall.ts';
import { type LocatedGuest, locateGuests } from './guests.ts';
import type { NicBook } from './nic-book.ts';
import { containerParams } from './params.ts';
import { type NodeRole, placeInstance } from './placement.ts';
import { driftOf } from './record.ts';
import { type TaskPoller, waitForTask } from './tasks.ts';
import { createVm, effectiveVmConfig, renameVm, resizeVm, setVmNics, type VmContext } from './vms.ts';

export { driftOf } from './record.ts';

/** Settings of the compute facet. */
export interface ProxmoxComputeOptions {
  client: PveClient;
  tasks: TaskPoller;
  /** Storage for root filesystems (content `rootdir`), e.g. `local-lvm`. */
  rootStorage: string;
  roles?: Record<string, NodeRole>;
  /** Where the NIC ids of guests are noted for the traffic counters. */
  nics: NicBook;
  /** Servers stopped for a rollback by this process, which read as running until it ends. */
  rollingBack?: Set<string>;
  /** How often `watch` looks at the cluster. */
  watchMs?: number;
}

const NOT_FOUND = /does not exist/;
const LOCKED = /is locked|can't lock file/;

/** Creates the compute facet. */
export function createProxmoxCompute(o: ProxmoxComputeOptions): ComputeDriver {
  const { client, tasks } = o;
  const path = (g: Pick<LocatedGuest, 'node' | 'type' | 'vmid'>) => `/nodes/${encodeURIComponent(g.node)}/${g.type}/${g.vmid}`;
  const locate = async (id: string) => (await locateGuests(client)).guests.get(id) ?? null;
  const existing = async (id: string) => {
    const g = await locate(id);
    if (!g) throw new Error(`instance ${id} does not exist on the cluster`);
    return g;
  };
  const changes: ChangeContext = { client, tasks, rootStorage: o.rootStorage, nics: o.nics, path };

  /** A mutation on a guest: a lock answers the task holding it (wait on that, then look again). */
  const mutate = async (g: LocatedGuest, call: () => Promise<string>, benign?: RegExp): Promise<TaskRef | null> => {
    if (g.lock) {
      const holder = await tasks.activeFor(g.node, g.vmid);
      if (holder) return holder;
      throw new Error(`guest ${g.vmid} on ${g.node} is locked (${g.lock}) with no task holding it; an operator must run 'pct unlock ${g.vmid}'`);
    }
    try {
      return { node: g.node, id: await call() };
    } catch (err) {
      if (err instanceof PveApiError && benign?.test(err.message)) return null;
      if (err instanceof PveApiError && LOCKED.test(err.message)) {
        const holder = await tasks.activeFor(g.node, g.vmid);
        if (holder) return holder;
      }
      throw err;
    }
  };

  const vms: VmContext = { client, tasks, rootStorage: o.rootStorage, roles: o.roles, path };

  const create = async (sp: InstanceSpec): Promise<TaskRef | null> => {
    if (sp.fromSnapshot) throw new PermanentEngineError('making a server from a snapshot is not built for Proxmox VE yet: clone the snapshot into a volume instead');
    const found = await locate(sp.id);
    if (sp.kind === 'vm' && (!found || found.pending)) return createVm(vms, sp, found);
    if (found) return found.lock ? await tasks.activeFor(found.node, found.vmid) : null;
    const node = await placeInstance(client, sp.memoryMb, o.roles);
    // nextid is only a hint: another client may take the id before our create lands.
    for (let attempt = 0; attempt < 5; attempt++) {
      const vmid = Number(await client.get<string>('/cluster/nextid'));
      try {
        const upid = await client.post<string>(`/nodes/${encodeURIComponent(node)}/lxc`, containerParams(sp, vmid, o.rootStorage));
        o.nics.set(vmid, sp.nics.map((n) => n.id));
        return { node, id: upid };
      } catch (err) {
        if (err instanceof PveApiError && /already exists/.test(err.message)) continue;
        throw err;
      }
    }
    throw new Error(`no free vmid after 5 tries: each one /cluster/nextid offered was taken before the create arrived`);
  };

  const observe = (g: LocatedGuest): InstanceObservation => {
    if (o.rollingBack?.has(g.id) && g.status !== 'running') return { state: 'running', node: g.node, detail: 'stopped for a rollback to a snapshot' };
    return { state: g.status === 'running' ? 'running' : 'stopped', node: g.node, ...(g.lock ? { detail: `locked (${g.lock})` } : {}) };
  };

  return {
    capabilities: { containers: true, virtualMachines: true, asyncTasks: true, multiNode: true, liveResize: true },

    async inspect(id) {
      const g = await locate(id);
      // A VM clone whose config is not set yet is not made yet: the next create goes on with it.
      if (!g || g.pending) return null;
      // The cluster's list can lag behind the node (pvestatd); the node's own word decides.
      try {
        const cur = await client.get<{ status: string; lock?: string; tags?: string }>(`${path(g)}/status/current`);
        const obs = observe({ ...g, status: cur.status, ...(cur.lock ? { lock: cur.lock } : {}) });
        // A guest in the middle of its create, or of a rollback of ours (which puts the snapshot's config back before
        // it sets again what Kumulus set), has no final config yet: nothing to compare.
        if (cur.lock === 'create' || o.rollingBack?.has(g.id)) return obs;
        // What waits for a VM's next start (CPU, memory, cloud-init) was set by us: it counts as set.
        const config = g.type === 'qemu' ? await effectiveVmConfig(client, path(g)) : await client.get<Record<string, string | number>>(`${path(g)}/config`);
        const drift = driftOf(config as Record<string, string | number>);
        return drift.length > 0 ? { ...obs, drift } : obs;
      } catch (err) {
        if (err instanceof PveApiError && NOT_FOUND.test(err.message)) return null;
        throw err;
      }
    },

    async list() {
      return [...(await locateGuests(client)).guests.keys()];
    },

    async observeAll() {
      const out = new Map<string, InstanceObservation>();
      // A guest on an unreachable node is left out: neither stopped nor gone, only unknown.
      // A VM clone not configured yet is listed too, so one a deleted server left behind is found by the sweep.
      for (const [id, g] of (await locateGuests(client)).guests) if (g.status !== 'unknown') out.set(id, g.pending ? { ...observe(g), detail: 'cloned, its config not set yet' } : observe(g));
      return out;
    },

    watch(onChange) {
      let last = new Map<string, string>();
      let stopped = false;
      const look = async () => {
        try {
          const now = new Map<string, string>();
          for (const [id, g] of (await locateGuests(client)).guests) now.set(id, g.status);
          // A guest seen for the first time is one we just made; only a known one that changed, or went, is news.
          for (const [id, s] of now) if (last.has(id) && last.get(id) !== s) onChange(id);
          for (const id of last.keys()) if (!now.has(id)) onChange(id);
          last = now;
        } catch {
          // An unreachable cluster is the sweep's and the reconcilers' to report; watching just looks again.
        }
      };
      const timer = setInterval(() => {
        if (!stopped) void look();
      }, o.watchMs ?? 10_000);
      timer.unref();
      void look();
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },

    create,

    async start(id) {
      const g = await locate(id);
      if (!g) throw new Error(`instance ${id} does not exist on the cluster`);
      if (g.status === 'running' && !g.lock) return null;
      // Before every start, so a guest made or changed by anyone comes up held to its addresses.
      if (!g.lock) await ensureAntiSpoofing(client, path(g));
      return mutate(g, () => client.post<string>(`${path(g)}/status/start`), /already running/);
    },

    async stop(id, { force }) {
      const g = await locate(id);
      if (!g || (g.status !== 'running' && !g.lock)) return null;
      // shutdown asks the guest's init; stop pulls the plug.
      return mutate(g, () => client.post<string>(`${path(g)}/status/${force ? 'stop' : 'shutdown'}`, force ? {} : { timeout: 60, forceStop: true }), /not running/);
    },

    async reboot(id) {
      const g = await locate(id);
      if (!g) throw new Error(`instance ${id} does not exist on the cluster`);
      if (g.status !== 'running' && !g.lock) return mutate(g, () => client.post<string>(`${path(g)}/status/start`), /already running/);
      return mutate(g, () => client.post<string>(`${path(g)}/status/reboot`, { timeout: 60 }));
    },

    async destroy(id) {
      const g = await locate(id);
      if (!g) return null;
      // qemu-server has no `force`: a running VM is stopped (hard) first, inside the call.
      if (g.type === 'qemu' && g.status === 'running' && !g.lock) {
        const stop = await mutate(g, () => client.post<string>(`${path(g)}/status/stop`), /not running/);
        if (stop) await waitForTask(tasks, stop);
        g.status = 'stopped';
      }
      return mutate(g, () => client.del<string>(path(g), { purge: true, ...(g.type === 'lxc' ? { force: true } : {}), 'destroy-unreferenced-disks': true }), NOT_FOUND);
    },

    async setNics(id, nics, dns) {
      const g = await existing(id);
      return g.type === 'qemu' ? setVmNics(vms, id, g, nics, dns) : setGuestNics(changes, id, g, nics, dns);
    },
    async resize(id, limits) {
      const g = await existing(id);
      return g.type === 'qemu' ? resizeVm(vms, id, g, limits) : resizeGuest(changes, id, g, limits);
    },
    async rebuild(sp) {
      const g = await locate(sp.id);
      if (sp.kind === 'vm') throw new PermanentEngineError('rebuilding a virtual machine on Proxmox VE is not built yet: delete the server and create it again from the image');
      // A rebuild cut short after the old guest was removed: make it again.
      if (!g) return create(sp);
      try {
        return await rebuildGuest(changes, sp, g);
      } catch (err) {
        // Someone took the vmid between the removal and the create: any free one will do.
        if (err instanceof PveApiError && /already exists/.test(err.message)) return create(sp);
        throw err;
      }
    },
    // pve-container sets root's password (a crypt hash as it is) only at create and restore; the API has no call
    // that runs a command in an existing container (`pct exec` is not in it), so a new password cannot be set.
    async setRootPassword() {
      throw new PermanentEngineError('Proxmox VE sets a container’s root password only when it is made: its API has no way to change it later (pct exec is not in the API); rebuild the server to set a new one');
    },
    // The hostname is watched for drift like the limits: the record in the description follows it.
    async setHostname(id, hostname) {
      const g = await existing(id);
      return g.type === 'qemu' ? renameVm(vms, id, g, hostname) : renameGuest(changes, id, g, hostname);
    },

    task(ref): Promise<TaskState> {
      return tasks.poll(ref);
    },
  };
}
