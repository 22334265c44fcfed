import type { Condition, Server, ServerSpec, ServerStatus } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { TaskRef } from '../../drivers/types.ts';
import type { ServersTable } from '../../store/schema.ts';

/** The desired state as stored: the public spec plus what the API never shows. */
export interface StoredSpec extends ServerSpec {
  /** crypt(3) SHA-512 hash of the root password; the plain password is never stored. */
  passwordHash?: string;
}

/** The observed state as stored: the public status plus the engine task being waited on. */
export interface StoredStatus extends ServerStatus {
  task?: TaskRef & { action: string };
  /** The spec's rebootCount the engine has carried out. */
  rebootsDone?: number;
  /** Ids of the spec's NICs the engine has in place; absent: those the instance was made with. */
  nicsApplied?: string[];
}

/** Decodes a servers row. */
export function readRow(row: ServersTable): { spec: StoredSpec; status: StoredStatus } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) };
}

/** The API's view of a servers row (private fields dropped). */
export function toServer(row: ServersTable): Server {
  const { spec, status } = readRow(row);
  const { passwordHash: _p, ...publicSpec } = spec;
  const { task: _t, rebootsDone: _r, nicsApplied: _n, ...publicStatus } = status;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    labels: JSON.parse(row.labels ?? '{}'),
    generation: row.generation,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    spec: publicSpec,
    status: publicStatus,
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
