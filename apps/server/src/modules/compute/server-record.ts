import type { Condition, Server, ServerProtection, ServerSpec, ServerStatus } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { TaskRef } from '../../drivers/types.ts';
import type { ServersTable } from '../../store/schema.ts';

/** The desired state as stored: the public spec plus what the API never shows. */
export interface StoredSpec extends ServerSpec {
  /** crypt(3) SHA-512 hash of the root password; the plain password is never stored. */
  passwordHash?: string;
  /** What the server refuses until lifted; absent: nothing (servers made before protection). */
  protection?: ServerProtection;
  /** How a wanted stop is carried out: `stop` (ask, then kill), `shutdown` (ask only), `poweroff` (kill). */
  stopMode?: StopMode;
  /** Seconds a `shutdown` gives the guest. */
  shutdownTimeoutS?: number;
  /** Bumped by each rebuild; the reconciler makes a fresh root filesystem until status caught up. */
  rebuildCount?: number;
  /** Bumped by each password reset; the reconciler writes passwordHash into the guest. */
  passwordCount?: number;
  /** Bumped by each rename the hostname follows; the reconciler sets it in the guest. */
  hostnameCount?: number;
}

/** How a stop is carried out. */
export type StopMode = 'stop' | 'shutdown' | 'poweroff';

/** The fields of the stored spec the API never shows. */
const PRIVATE_SPEC = ['passwordHash', 'protection', 'stopMode', 'shutdownTimeoutS', 'rebuildCount', 'passwordCount', 'hostnameCount'] as const;

/** The observed state as stored: the public status plus the engine task being waited on. */
export interface StoredStatus extends ServerStatus {
  task?: TaskRef & { action: string };
  /** The spec's rebootCount the engine has carried out. */
  rebootsDone?: number;
  /** Ids of the spec's NICs the engine has in place; absent: those the instance was made with. */
  nicsApplied?: string[];
  /** The plan whose limits the instance has; absent: the spec's (servers made before resize). */
  appliedPlan?: string;
  /** The spec's rebuildCount the engine has carried out. */
  rebuildsDone?: number;
  /** The spec's passwordCount the engine has carried out. */
  passwordsDone?: number;
  /** The spec's hostnameCount the engine has carried out. */
  hostnamesDone?: number;
}

/** Decodes a servers row. */
export function readRow(row: ServersTable): { spec: StoredSpec; status: StoredStatus } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) };
}

/** The API's view of a servers row (private fields dropped). */
export function toServer(row: ServersTable): Server {
  const { spec, status } = readRow(row);
  const publicSpec: Record<string, unknown> = { ...spec };
  for (const k of PRIVATE_SPEC) delete publicSpec[k];
  const { task: _t, rebootsDone: _r, appliedPlan: _a, rebuildsDone: _b, passwordsDone: _w, nicsApplied: _n, hostnamesDone: _h, ...publicStatus } = status;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    labels: JSON.parse(row.labels ?? '{}'),
    generation: row.generation,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    spec: publicSpec as Server['spec'],
    status: publicStatus,
    protection: { delete: spec.protection?.delete ?? false, rebuild: spec.protection?.rebuild ?? false },
  };
}

/** Moves the server to a phase, noting when it changed (unchanged phases keep their time). */
export function setPhase(status: StoredStatus, phase: StoredStatus['phase'], now: number): void {
  if (status.phase === phase && status.phaseSince) return;
  status.phase = phase;
  status.phaseSince = iso(now)!;
}

/** Sets a condition, keeping its transition time when its status did not change. */
export function setCondition(conditions: Condition[], c: Omit<Condition, 'lastTransitionAt'>, now: number): Condition[] {
  const old = conditions.find((x) => x.type === c.type);
  const lastTransitionAt = old && old.status === c.status ? old.lastTransitionAt : iso(now)!;
  return [...conditions.filter((x) => x.type !== c.type), { ...c, lastTransitionAt }];
}
