import type { Condition, Snapshot, SnapshotSpec, SnapshotStatus } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { SnapshotsTable } from '../../store/schema.ts';

/** Decodes a snapshots row. */
export function readSnapshotRow(row: SnapshotsTable): { spec: SnapshotSpec; status: SnapshotStatus } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) };
}

/** Whether the snapshot is being taken, rolled back or deleted (one such change per resource at a time). */
export function busySnapshot(row: SnapshotsTable): boolean {
  const { spec, status } = readSnapshotRow(row);
  return row.deletion_requested_at !== null || ['Pending', 'Creating', 'RollingBack'].includes(status.phase) || spec.rollbacks > status.rollbacksDone;
}

/** The API's view of a snapshots row. */
export function toSnapshot(row: SnapshotsTable): Snapshot {
  const { spec, status } = readSnapshotRow(row);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    labels: JSON.parse(row.labels || '{}'),
    target: { type: row.target_type, id: row.target_id },
    generation: row.generation,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    spec,
    status,
  };
}

/** Moves the snapshot to a phase, noting when it changed. */
export function setSnapshotPhase(status: SnapshotStatus, phase: SnapshotStatus['phase'], now: number): void {
  if (status.phase === phase && status.phaseSince) return;
  status.phase = phase;
  status.phaseSince = iso(now)!;
}

/** Sets a condition, keeping its transition time when its status did not change. */
export function setSnapshotCondition(status: SnapshotStatus, c: Omit<Condition, 'lastTransitionAt'>, now: number): void {
  const old = status.conditions.find((x) => x.type === c.type);
  const lastTransitionAt = old && old.status === c.status ? old.lastTransitionAt : iso(now)!;
  status.conditions = [...status.conditions.filter((x) => x.type !== c.type), { ...c, lastTransitionAt }];
}
