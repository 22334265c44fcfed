/**
 * Wire schemas of backup schedules: a server or a label selector, a cron line read in a time
 * zone, a retention policy pruned as Proxmox Backup Server prunes, and the prune simulator.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Name } from '../schemas.ts';
import { BackupMode } from './backups.ts';

const Timestamp = Type.String({ format: 'date-time' });
const Keep = Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 }));

export const Retention = Type.Object(
  { keepLast: Keep, keepHourly: Keep, keepDaily: Keep, keepWeekly: Keep, keepMonthly: Keep, keepYearly: Keep },
  { additionalProperties: false, description: 'as Proxmox Backup Server: each option keeps the newest backup of its next N periods that earlier options did not cover' },
);
export type Retention = Static<typeof Retention>;

const Cron = Type.String({ minLength: 9, maxLength: 100, description: 'five cron fields (minute hour day month weekday), e.g. "0 3 * * *"' });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, UTC by default' });

export const BackupSchedule = Type.Object(
  {
    id: Type.String({ description: 'bks_… id' }),
    tenantId: Type.String(),
    name: Name,
    server: Type.Union([Type.String(), Type.Null()], { description: 'the one server it backs up, or null for a selector' }),
    selector: Type.Union([Type.String(), Type.Null()], { description: 'label selector of the servers it backs up' }),
    targetId: Type.String(),
    cron: Type.String(),
    timeZone: Type.String(),
    mode: BackupMode,
    retention: Retention,
    enabled: Type.Boolean(),
    lastRunAt: Type.Union([Timestamp, Type.Null()]),
    nextRuns: Type.Array(Timestamp, { description: 'the next five runs' }),
    createdAt: Timestamp,
  },
  { $id: 'BackupSchedule' },
);
export type BackupSchedule = Static<typeof BackupSchedule>;

export const UpdateBackupSchedule = Type.Object(
  {
    name: Type.Optional(Name),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cron: Type.Optional(Cron),
    timeZone: Type.Optional(TimeZone),
    mode: Type.Optional(BackupMode),
    retention: Type.Optional(Retention),
    enabled: Type.Optional(Type.Boolean({ description: 'false pauses it; true again counts its runs from now' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateBackupSchedule = Static<typeof UpdateBackupSchedule>;

export const CreateBackupSchedule = Type.Object(
  {
    name: Name,
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    selector: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cron: Cron,
    timeZone: Type.Optional(TimeZone),
    mode: Type.Optional(BackupMode),
    retention: Retention,
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateBackupSchedule = Static<typeof CreateBackupSchedule>;

export const PreviewSchedule = Type.Object({ cron: Cron, timeZone: Type.Optional(TimeZone), count: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }, { additionalProperties: false });
export type PreviewSchedule = Static<typeof PreviewSchedule>;

export const SchedulePreview = Type.Object({ nextRuns: Type.Array(Timestamp) });
export type SchedulePreview = Static<typeof SchedulePreview>;

export const SimulatePrune = Type.Object(
  {
    retention: Retention,
    timeZone: Type.Optional(TimeZone),
    backups: Type.Optional(Type.Array(Type.Object({ id: Type.Optional(Type.String({ maxLength: 64 })), time: Timestamp, protected: Type.Optional(Type.Boolean()) }), { maxItems: 2000, description: 'backups to simulate; a server’s real ones when left out' })),
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'simulate on this server’s backups' })),
  },
  { additionalProperties: false },
);
export type SimulatePrune = Static<typeof SimulatePrune>;

export const PruneDecision = Type.Object({
  id: Type.String(),
  time: Timestamp,
  mark: Type.Union([Type.Literal('keep'), Type.Literal('protected'), Type.Literal('remove')]),
  reason: Type.Optional(Type.String({ description: 'the option that kept it' })),
});
export type PruneDecision = Static<typeof PruneDecision>;

export const PruneSimulation = Type.Object({ decisions: Type.Array(PruneDecision, { description: 'newest first' }) });
export type PruneSimulation = Static<typeof PruneSimulation>;

/** A server whose schedule promised a backup that is not there: its latest verified-good one is older. */
export const OverdueBackup = Type.Object({
  tenantId: Type.String(),
  server: Type.Object({ id: Type.String(), name: Type.String() }),
  schedule: Type.Object({ id: Type.String(), name: Type.String() }),
  promisedAt: Type.String({ format: 'date-time', description: 'the schedule run whose verified backup is missing' }),
  lastGoodAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when its latest verified-good backup was asked for (a schedule asks at its run); null: never' }),
});
export type OverdueBackup = Static<typeof OverdueBackup>;

export const OverdueQuery = Type.Object({
  tenant: Type.Optional(Type.String({ pattern: '^(all|ten_[0-9a-z]{20,32})$', description: '`all` (the default) or one tenant id' })),
});
export type OverdueQuery = Static<typeof OverdueQuery>;
