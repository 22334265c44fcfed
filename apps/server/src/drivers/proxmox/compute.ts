/**
 * The compute facet on Proxmox VE: containers through `/nodes/{node}/lxc`. Every mutation answers its UPID;
 * a guest is found by its tags before anything is made (never a twin), its vmid comes from `/cluster/nextid`
 * with a retry when another client took it first, and a locked guest hands back the task holding it.
 */
import { type ComputeDriver, type InstanceObservation, type InstanceSpec, PermanentEngineError, type TaskRef, type TaskState } from '../types.ts';
import { PveApiError, type PveClient, type PveParams } from './client.ts';
import { type LocatedGuest, locateGuests, OWNER_TAG } from './guests.ts';
import { type NodeRole, placeInstance } from './placement.ts';
import type { TaskPoller } from './tasks.ts';

/** Settings of the compute facet. */
export interface ProxmoxComputeOptions {
  client: PveClient;
  tasks: TaskPoller;
  /** Storage for root filesystems (content `rootdir`), e.g. `local-lvm`. */
  rootStorage: string;
  roles?: Record<string, NodeRole>;
  /** How often `watch` looks at the cluster. */
  watchMs?: number;
}

const NOT_FOUND = /does not exist/;

/** The options Kumulus sets and watches for changes made in Proxmox's own GUI or CLI. */
const WATCHED = ['hostname', 'cores', 'memory', 'swap', 'net0', 'net1', 'net2', 'net3'];
const RECORD = 'kumulus-spec:';

/** What Kumulus set, as it is recorded in the guest's description (so any Kumulus process can compare). */
function recordOf(p: PveParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of WATCHED) if (p[k] !== undefined) out[k] = String(typeof p[k] === 'boolean' ? Number(p[k]) : p[k]);
  return out;
}

function describe(id: string, record: Record<string, string>): string {
  return `Kumulus server ${id}. Managed by Kumulus: changes made here are reported as drift.\n${RECORD} ${JSON.stringify(record)}`;
}

/** The differences between a guest's config and what Kumulus recorded at create, in words. */
export function driftOf(config: Record<string, string | number>): string[] {
  const line = String(config.description ?? '').split('\n').find((l) => l.startsWith(RECORD));
  if (!line) return ['the Kumulus record in the description was removed'];
  let record: Record<string, string>;
  try {
    record = JSON.parse(line.slice(RECORD.length)) as Record<string, string>;
  } catch {
    return ['the Kumulus record in the description was edited'];
  }
  const out: string[] = [];
  for (const k of WATCHED) {
    const want = record[k];
    const have = config[k] === undefined ? undefined : String(config[k]);
    if (want === undefined && have === undefined) continue;
    // PVE normalizes net options (adds type=veth, may reorder); compare them as sets of key=value.
    const same = k.startsWith('net') ? sameOptions(want, have) : want === have;
    if (!same) out.push(have === undefined ? `${k} was removed (Kumulus set ${want})` : want === undefined ? `${k} was added (${have})` : `${k} is ${have}, Kumulus set ${want}`);
  }
  return out;
}

function sameOptions(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const set = (x: string) => new Set(x.split(',').filter((kv) => !kv.startsWith('type=')).map((kv) => kv.toLowerCase()));
  const sa = set(a);
  const sb = set(b);
  return sa.size === sb.size && [...sa].every((kv) => sb.has(kv));
}
const LOCKED = /is locked|can't lock file/;

/** Creates the compute facet. */
export function createProxmoxCompute(o: ProxmoxComputeOptions): ComputeDriver {
  const { client, tasks } = o;
  const path = (g: Pick<LocatedGuest, 'node' | 'type' | 'vmid'>) => `/nodes/${encodeURIComponent(g.node)}/${g.type}/${g.vmid}`;
  const locate = async (id: string) => (await locateGuests(client)).guests.get(id) ?? null;

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

  const createParams = (sp: InstanceSpec, vmid: number): PveParams => {
    const p: PveParams = {
      vmid,
      ostemplate: sp.image,
      hostname: sp.hostname,
      cores: sp.vcpus,
      memory: sp.memoryMb,
      swap: 0,
      rootfs: `${o.rootStorage}:${sp.diskGb}`,
      unprivileged: true,
      tags: `${OWNER_TAG};${sp.id}`,
      description: '',
    };
    sp.nics.forEach((n, i) => {
      p[`net${i}`] = `name=eth${i},bridge=${n.link},hwaddr=${n.mac},ip=${n.ipv4}${n.gateway ? `,gw=${n.gateway}` : ''}`;
    });
    if (sp.sshKeys.length > 0) p['ssh-public-keys'] = sp.sshKeys.join('\n');
    if (sp.dns && sp.dns.nameservers.length > 0) p.nameserver = sp.dns.nameservers.join(' ');
    if (sp.dns && sp.dns.search.length > 0) p.searchdomain = sp.dns.search.join(' ');
    p.description = describe(sp.id, recordOf(p));
    return p;
  };

  const observe = (g: LocatedGuest): InstanceObservation => ({ state: g.status === 'running' ? 'running' : 'stopped', node: g.node, ...(g.lock ? { detail: `locked (${g.lock})` } : {}) });

  return {
    capabilities: { containers: true, virtualMachines: false, asyncTasks: true, multiNode: true, liveResize: true },

    async inspect(id) {
      const g = await locate(id);
      if (!g) return null;
      // The cluster's list can lag behind the node (pvestatd); the node's own word decides.
      try {
        const cur = await client.get<{ status: string; lock?: string; tags?: string }>(`${path(g)}/status/current`);
        const obs = observe({ ...g, status: cur.status, ...(cur.lock ? { lock: cur.lock } : {}) });
        // A guest in the middle of its create has no final config yet: nothing to compare.
        if (cur.lock === 'create') return obs;
        const config = await client.get<Record<string, string | number>>(`${path(g)}/config`);
        const drift = driftOf(config);
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
      for (const [id, g] of (await locateGuests(client)).guests) if (g.status !== 'unknown') out.set(id, observe(g));
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

    async create(sp) {
      if (sp.kind !== 'container') throw new Error('virtual machines on Proxmox are not built yet');
      const found = await locate(sp.id);
      if (found) return found.lock ? await tasks.activeFor(found.node, found.vmid) : null;
      const node = await placeInstance(client, sp.memoryMb, o.roles);
      // nextid is only a hint: another client may take the id before our create lands.
      for (let attempt = 0; attempt < 5; attempt++) {
        const vmid = Number(await client.get<string>('/cluster/nextid'));
        try {
          const upid = await client.post<string>(`/nodes/${encodeURIComponent(node)}/lxc`, createParams(sp, vmid));
          return { node, id: upid };
        } catch (err) {
          if (err instanceof PveApiError && /already exists/.test(err.message)) continue;
          throw err;
        }
      }
      throw new Error(`no free vmid after 5 tries: each one /cluster/nextid offered was taken before the create arrived`);
    },

    async start(id) {
      const g = await locate(id);
      if (!g) throw new Error(`instance ${id} does not exist on the cluster`);
      if (g.status === 'running' && !g.lock) return null;
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
      return mutate(g, () => client.del<string>(path(g), { purge: true, force: true, 'destroy-unreferenced-disks': true }), NOT_FOUND);
    },

    // The NICs a guest is created with are in its config; changing them later (PUT …/config with netN, and the
    // description that drift is checked against) is not built yet, so an attach fails with this reason.
    async setNics() {
      throw new PermanentEngineError('attaching or detaching NICs of an existing guest is not built for Proxmox VE yet');
    },
    // Like NICs: cores, memory and rootfs size are in the description drift is checked against, so
    // resize (…/config and …/resize), rebuild and a new root password wait until that record follows them.
    async resize() {
      throw new PermanentEngineError('resizing a guest is not built for Proxmox VE yet');
    },
    async rebuild() {
      throw new PermanentEngineError('rebuilding a guest is not built for Proxmox VE yet');
    },
    async setRootPassword() {
      throw new PermanentEngineError('resetting the root password of a guest is not built for Proxmox VE yet');
    },
    // The hostname is watched for drift like the limits, so a rename waits for the same record.
    async setHostname() {
      throw new PermanentEngineError('changing the hostname of a guest is not built for Proxmox VE yet');
    },

    task(ref): Promise<TaskState> {
      return tasks.poll(ref);
    },
  };
}
