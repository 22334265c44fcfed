import type { Condition, Volume, VolumeSpec, VolumeStatus } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { VolumesTable } from '../../store/schema.ts';

/** Decodes a volumes row. */
export function readVolumeRow(row: VolumesTable): { spec: VolumeSpec; status: VolumeStatus; labels: Record<string, string> } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status), labels: JSON.parse(row.labels) };
}

/** The API's view of a volumes row. */
export function toVolume(row: VolumesTable): Volume {
  const { spec, status, labels } = readVolumeRow(row);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    labels,
    protected: row.protected === 1,
    generation: row.generation,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    spec,
    status,
  };
}

/** Moves the volume to a phase, noting when it changed (unchanged phases keep their time). */
export function setVolumePhase(status: VolumeStatus, phase: VolumeStatus['phase'], now: number): void {
  if (status.phase === phase && status.phaseSince) return;
  status.phase = phase;
  status.phaseSince = iso(now)!;
}

/** Sets a condition, keeping its transition time when its status did not change. */
export function setVolumeCondition(status: VolumeStatus, c: Omit<Condition, 'lastTransitionAt'>, now: number): void {
  const old = status.conditions.find((x) => x.type === c.type);
  const lastTransitionAt = old && old.status === c.status ? old.lastTransitionAt : iso(now)!;
  status.conditions = [...status.conditions.filter((x) => x.type !== c.type), { ...c, lastTransitionAt }];
}
