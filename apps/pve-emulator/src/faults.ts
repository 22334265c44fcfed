/**
 * Fault injection: at a configured rate a request meets one of the failures a real cluster shows — a 500
 * ("got no worker upid"), a failed proxy hop (595/596), a hang, a lost answer after the work was done, a task
 * that fails, a task not yet visible, a node that goes away, a vmid taken between nextid and create.
 */

/** The failures that can be injected. */
export const FAULT_KINDS = ['error500', 'error595', 'error596', 'timeout', 'lost', 'taskfail', 'nosuchtask', 'nodedown', 'collision'] as const;

/** One kind of injected failure. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault settings: `rate` of requests (0…1) that meet one of `kinds`. */
export interface FaultConfig {
  rate: number;
  kinds: FaultKind[];
  /** Seed of the generator, so a failing run can be repeated. */
  seed?: number;
  /** How long a "timeout" holds the request before the connection is dropped. */
  hangMs?: number;
  /** How long a node stays away. */
  nodeDownMs?: number;
  /** Inject at most this many faults, then none (a test that wants exactly one). */
  limit?: number;
}

/** Which faults fit which request. */
const FITS: Record<FaultKind, (r: { method: string; mutating: boolean; template: string }) => boolean> = {
  error500: () => true,
  error595: (r) => r.template.startsWith('/nodes/{node}'),
  error596: (r) => r.template.startsWith('/nodes/{node}'),
  timeout: () => true,
  lost: () => true,
  taskfail: (r) => r.mutating,
  nosuchtask: (r) => r.mutating,
  nodedown: (r) => r.template.startsWith('/nodes/{node}'),
  collision: (r) => r.template === '/cluster/nextid',
};

/** A seeded generator (mulberry32), so fault runs repeat. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, per request, whether and which fault it meets. */
export class FaultInjector {
  private random: () => number;
  /** How many faults of each kind were injected. */
  readonly injected: Record<string, number> = {};
  config: FaultConfig;
  private count = 0;
  constructor(config: FaultConfig = { rate: 0, kinds: [] }) {
    this.config = config;
    this.random = generator(config.seed ?? 1);
  }

  /** Replaces the settings (and reseeds). */
  set(config: FaultConfig): void {
    this.config = config;
    this.count = 0;
    this.random = generator(config.seed ?? 1);
  }

  /** The fault a request meets, or null. */
  pick(r: { method: string; mutating: boolean; template: string }): FaultKind | null {
    if (this.config.rate <= 0) return null;
    if (this.config.limit !== undefined && this.count >= this.config.limit) return null;
    if (this.random() >= this.config.rate) return null;
    const fitting = this.config.kinds.filter((k) => FITS[k](r));
    if (fitting.length === 0) return null;
    const kind = fitting[Math.floor(this.random() * fitting.length)]!;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    this.count++;
    return kind;
  }
}
