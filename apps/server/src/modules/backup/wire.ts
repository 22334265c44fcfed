/**
 * Puts the backup domain together for serve.ts: the targets and backups services, their
 * reconcilers, and their routes, from the engine's backup facet and the servers and volumes
 * services. Engines without a backup facet get none of it.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import type { LifecycleChange } from '../billing/meter-kinds.ts';
import { readRow } from '../compute/server-record.ts';
import type { Servers } from '../compute/servers.ts';
import type { Principal } from '../identity/principal.ts';
import type { Operations } from '../operations/service.ts';
import type { Volumes } from '../storage/volumes.ts';
import { type BackupAlert, createBackupReconciler } from './backup-reconciler.ts';
import { throwawayOf } from './boot-verify.ts';
import { type BackupServerRef, createBackups } from './backups.ts';
import { createOverdueReport } from './overdue.ts';
import { backupRoutes } from './routes.ts';
import { createScheduleReconciler } from './schedule-reconciler.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { createSchedules, SCHEDULE_KIND } from './schedules.ts';
import { createBackupTargets } from './targets.ts';
import { readBackupRow } from './backup-record.ts';
import { noticeMail } from '../billing/notify/texts.ts';

/** How often target health is probed again by itself. */
const TARGET_HEALTH_MS = 60_000;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  operations: Operations;
  queue: Queue;
  dialect: 'sqlite' | 'postgres';
  engine: Engine;
  servers: () => Servers;
  volumes: () => Volumes;
  notify: () => void;
  /** Records a webhook event in the transaction (webhooks.emit). */
  emit: (trx: Kysely<Database>, tenantId: string, event: BackupAlert['kind'], data: Record<string, unknown>) => Promise<void>;
  /** Queues an e-mail to the tenant's users in the transaction; null without an SMTP server. */
  mail: ((trx: Kysely<Database>, tenantId: string, kind: string, to: string[], text: { subject: string; body: string }) => Promise<void>) | null;
  log: (text: string) => void;
  /** Records a billed lifecycle change (metering) inside the transaction that commits it. */
  onLifecycle?: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
}

/** The backup domain as serve.ts uses it. */
export interface BackupDomain {
  routes: RouteDef[];
  reconcilers: Record<string, Reconciler>;
  adopt: () => Promise<void>;
  /** Whether an engine instance no server row claims is a verification throwaway still in use (the engine sweep spares it). */
  claims: (instanceId: string) => Promise<boolean>;
}

/** The backup domain, wired; null when the engine has no backup facet. */
export function wireBackups(d: Deps): BackupDomain | null {
  const driver = d.engine.backup;
  if (!driver) return null;
  const { db } = d;
  const findServer = async (p: Principal, idOrName: string): Promise<BackupServerRef> => {
    const s = await d.servers().get(p, idOrName);
    return { id: s.id, name: s.name, tenantId: s.tenantId, plan: s.spec.plan, image: s.spec.image, deleting: s.status.phase === 'Deleting' };
  };
  const targets = createBackupTargets({ db, clock: d.clock, ids: d.ids, audit: d.audit, driver });
  const backups = createBackups({
    db,
    clock: d.clock,
    ids: d.ids,
    audit: d.audit,
    operations: d.operations,
    queue: d.queue,
    dialect: d.dialect,
    targets,
    modes: { snapshot: driver.capabilities.liveSnapshot, suspend: driver.capabilities.suspendMode, stop: driver.capabilities.stopMode },
    findServer,
    createServer: (p, body, requestId) => d.servers().create(p, body, requestId),
    notify: d.notify,
  });
  const serverRow = (id: string) => db.selectFrom('servers').selectAll().where('id', '=', id).where('deletion_requested_at', 'is', null).executeTakeFirst();
  const reconciler = createBackupReconciler({
    db,
    clock: d.clock,
    driver,
    operations: d.operations,
    serverLive: async (id) => !!(await serverRow(id)),
    serverReady: async (id) => {
      const row = await serverRow(id);
      return !!row && ['Running', 'Stopped'].includes(readRow(row).status.phase) && !!(await d.engine.compute.inspect(id));
    },
    volumesOf: (tenantId, serverId) => d.volumes().attachedTo(db, tenantId, serverId),
    boot: driver.capabilities.bootCheck
      ? {
          driver,
          compute: d.engine.compute,
          storage: d.engine.storage,
          // The image must be on the host already (the server was made from it); a missing one falls back to reading back.
          imageFor: async (image) => ((await d.engine.images.isReady(image)) ? d.engine.images.prepare(image) : null),
        }
      : null,
    alert: async (trx, a) => {
      const params = { backup: a.backupId, server: a.server.name, detail: a.detail };
      await d.emit(trx, a.tenantId, a.kind, { backup: { id: a.backupId, server: a.server }, detail: a.detail });
      const kind = a.kind === 'backup.failed' ? 'backup-failed' : 'backup-verification-failed';
      await trx.insertInto('notices').values({ id: d.ids('ntc'), tenant_id: a.tenantId, kind, params: JSON.stringify(params), created_at: d.clock() }).execute();
      if (!d.mail) return;
      const to = (await trx.selectFrom('users').select('email').where('tenant_id', '=', a.tenantId).orderBy('email').execute()).map((u) => u.email);
      if (to.length) await d.mail(trx, a.tenantId, kind, to, noticeMail(kind, params));
    },
    log: d.log,
    onLifecycle: d.onLifecycle,
  });
  const schedules = createSchedules({ db, clock: d.clock, ids: d.ids, audit: d.audit, queue: d.queue, targets, findServer, notify: d.notify });
  const health: Reconciler = async () => {
    for (const row of await db.selectFrom('backup_targets').selectAll().execute()) await targets.refresh(row);
    return { againMs: TARGET_HEALTH_MS };
  };
  return {
    // A schedule's run has an hour to make and verify its backups before the report counts it.
    routes: [...backupRoutes(targets, backups), ...scheduleRoutes(schedules, createOverdueReport({ db, clock: d.clock, graceMs: 3_600_000 }))],
    reconcilers: { backup: reconciler, 'backup-targets': health, [SCHEDULE_KIND]: createScheduleReconciler({ db, clock: d.clock, backups: () => backups, log: d.log }) },
    adopt: async () => {
      for (const { id } of await db.selectFrom('backups').select('id').execute()) await d.queue.enqueue(db, 'backup', id);
      await d.queue.enqueue(db, 'backup-targets', 'health', TARGET_HEALTH_MS);
      for (const { id } of await db.selectFrom('backup_schedules').select('id').execute()) await d.queue.enqueue(db, SCHEDULE_KIND, id);
    },
    claims: async (instanceId) => {
      const backupId = throwawayOf(instanceId);
      if (!backupId) return false;
      const row = await db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirst();
      return !!row && readBackupRow(row).status.phase === 'Verifying';
    },
  };
}
