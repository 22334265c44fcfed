/**
 * The compute side of the engine interface (see types.ts): instances, images, the host's
 * fitness to run them, their usage, and the tasks slow engines answer with.
 */

/** What an engine can do; checked instead of the engine's name. */
export interface EngineCapabilities {
  /** System containers (LXC). */
  containers: boolean;
  /** Virtual machines (QEMU/KVM). */
  virtualMachines: boolean;
  /** Mutations answer a task to poll instead of finishing inside the call. */
  asyncTasks: boolean;
  /** More than one node can hold instances. */
  multiNode: boolean;
  /** Memory and vCPU limits can change while the instance runs. */
  liveResize: boolean;
}

/** A task an engine runs in the background (a Proxmox UPID); local engines never return one. */
export interface TaskRef {
  node: string;
  id: string;
}

/** Where a task stands; `error` is set when it ended in failure. */
export interface TaskState {
  done: boolean;
  error?: string;
}

/** One network interface of an instance, addressed by the control plane's IPAM. */
export interface NicSpec {
  /** Our id of the NIC (`nic_…`), used to name the host side of the link. */
  id: string;
  /** Bridge or vSwitch the NIC plugs into, as the network facet named it. */
  link: string;
  mac: string;
  /** Address with prefix length, e.g. `10.77.0.12/24`. */
  ipv4: string;
  /** IPv6 address with prefix length on a vSwitch with a /64, e.g. `fd12::ff:fe01:2/64`. */
  ipv6?: string;
  gateway?: string;
  /** Limits in Mbit/s into and out of the instance; absent or 0 is unlimited. */
  ingressMbit?: number;
  egressMbit?: number;
}

/** Everything an engine needs to make an instance; derived from the server's spec. */
export interface InstanceSpec {
  /** Our server id (`srv_…`); the engine names its object after it. */
  id: string;
  kind: 'container' | 'vm';
  hostname: string;
  /** Engine-level image name, as `ImageDriver.prepare` returned it. */
  image: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  /** crypt(3) SHA-512 hash for root, so the plain password never reaches the engine. */
  rootPasswordHash?: string;
  sshKeys: string[];
  nics: NicSpec[];
  /** Name servers and search domains of the instance's vSwitches, put before the host's. */
  dns?: { nameservers: string[]; search: string[] };
  /**
   * Start from a copy of this snapshot of another server's root disk instead of a fresh one (same
   * image): its files, users and data, with this instance's hostname, keys and machine identity.
   */
  fromSnapshot?: { server: string; snapshot: string };
}

/** The size of an instance, as a plan gives it. */
export interface InstanceLimits {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

/** What an engine reports about one of its instances. */
export interface InstanceObservation {
  state: 'running' | 'stopped';
  node: string;
  /** Engine-level detail worth showing (PID, lock holder …). */
  detail?: string;
  /**
   * What was changed outside Kumulus since the instance was made (an engine with its own GUI, like Proxmox,
   * can tell), in words; absent or empty when nothing was.
   */
  drift?: string[];
  /** A VM that runs without hardware acceleration (software emulation, much slower); absent for containers. */
  emulated?: boolean;
  /**
   * Host links of NICs that a running instance should have and does not (removed behind our
   * back); the server reconciler plugs them in again. Absent where the engine cannot tell.
   */
  missingLinks?: string[];
}

/** The compute facet: instances and their power state. */
export interface ComputeDriver {
  readonly capabilities: EngineCapabilities;
  /** Reads the instance named after `id`; null when there is none. */
  inspect(id: string): Promise<InstanceObservation | null>;
  /** Ids of every instance this engine holds for us, to find orphans and drift. */
  list(): Promise<string[]>;
  /** Every instance this engine holds for us with what it observes of it, in one look. */
  observeAll(): Promise<Map<string, InstanceObservation>>;
  /**
   * Calls `onChange` with an instance's id when the engine sees it stop or start by itself, so
   * drift is noticed without looking at every instance; answers a function that stops watching.
   */
  watch(onChange: (id: string) => void): () => void;
  /** Makes the instance (stopped) unless it exists already. */
  create(spec: InstanceSpec): Promise<TaskRef | null>;
  start(id: string): Promise<TaskRef | null>;
  /**
   * Stops the instance; `force` kills instead of asking the guest to shut down. With
   * `askOnly` the guest is asked for `timeoutS` and never killed: the caller inspects after.
   */
  stop(id: string, opts: { force: boolean; askOnly?: boolean; timeoutS?: number }): Promise<TaskRef | null>;
  reboot(id: string): Promise<TaskRef | null>;
  /** Removes the instance and everything made for it; absent is success. */
  destroy(id: string): Promise<TaskRef | null>;
  /**
   * Makes the instance's NICs the ones listed: in its config and the guest's name servers for
   * the next start, and live while it runs (missing ones plugged in, others pulled out, no
   * restart). Safe to repeat, also after a pass cut short.
   */
  setNics(id: string, nics: NicSpec[], dns?: InstanceSpec['dns']): Promise<TaskRef | null>;
  /**
   * Sets CPU and memory limits (live when it runs, capability liveResize) and grows the root
   * disk to `diskGb` (never shrinks); the new limits hold on every later start too.
   */
  resize(id: string, limits: InstanceLimits): Promise<TaskRef | null>;
  /**
   * Replaces the root filesystem of a stopped instance with a fresh clone of `spec.image`,
   * keeping the instance itself (its NICs, attached volumes and everything else in its config).
   */
  rebuild(spec: InstanceSpec): Promise<TaskRef | null>;
  /** Sets root's password hash in the guest, running or stopped. */
  setRootPassword(id: string, hash: string): Promise<TaskRef | null>;
  /** Sets the guest's hostname for every later start, and live while it runs where the engine can. */
  setHostname(id: string, hostname: string): Promise<TaskRef | null>;
  /** Polls a task returned by one of the calls above. */
  task(ref: TaskRef): Promise<TaskState>;
}

/** An image the engine can clone instances from. */
export interface ImageSource {
  /** Our image name (`tiny`, `debian-12`). */
  name: string;
  os: string;
  /** What its instances are; `container` when absent. */
  kind?: 'container' | 'vm';
}

/** The image facet: turns an image into something instances are cloned from, once. */
export interface ImageDriver {
  /** Names of images the engine knows how to build or fetch. */
  available(): ImageSource[];
  /** Makes the image ready (builds and caches it when needed); returns the engine-level name. */
  prepare(name: string): Promise<string>;
  /** True when `prepare` would return at once. */
  isReady(name: string): Promise<boolean>;
}

/** Something the host lacks to run instances, with the command that fixes it. */
export interface HostProblem {
  /** Stable id of the check: binary, lxc-include, subid, data-dir, cgroup, bridge, kernel … */
  check: string;
  /** What is missing or wrong: a command, a file, a directory. */
  subject: string;
  /** What is wrong, for the operator (may name host paths). */
  message: string;
  fix: string;
  /**
   * The images whose instances cannot start because of it; absent when no instance can, empty
   * when it blocks none (a limit that caps how many instances run).
   */
  images?: string[];
}

/** The host facet: whether the engine's host can run instances at all. */
export interface HostDriver {
  /** Checks what instances need (tools, files, id ranges, kernel features); empty when all is there. */
  preflight(): Promise<HostProblem[]>;
}

/** One running instance's usage: counters since it started, memory now. */
export interface InstanceUsage {
  cpuSeconds: number;
  memoryBytes: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  diskReads: number;
  diskWrites: number;
}

/** The usage facet: read by the metrics endpoint on every scrape. */
export interface UsageDriver {
  /** Usage of those of `ids` that run now; stopped or unknown ones are left out. */
  instances(ids: string[]): Promise<Map<string, InstanceUsage>>;
}
