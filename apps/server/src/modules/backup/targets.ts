import type { BackupTarget, BackupTargetHealth, CreateBackupTarget } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { BackupDriver, BackupTargetSpec } from '../../drivers/backup-types.ts';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { BackupTargetsTable } from '../../store/schema-backups.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  driver: BackupDriver;
}

/** The engine's view of a target row. */
export function targetSpec(row: BackupTargetsTable): BackupTargetSpec {
  const c = JSON.parse(row.config) as { path: string; host?: string; port?: number; user?: string };
  return { id: row.id, kind: row.kind, ...c };
}

/** The API's view of a target row. */
export function toTarget(row: BackupTargetsTable): BackupTarget {
  const s = targetSpec(row);
  return { id: row.id, name: row.name, kind: row.kind, path: s.path, host: s.host ?? null, port: s.port ?? null, user: s.user ?? null, default: row.is_default === 1, health: JSON.parse(row.health), createdAt: iso(row.created_at)! };
}

const invalid = (en: string, de: string, field: string) => new DomainError('BACKUP_TARGET_INVALID', { reason: { en, de } }, [{ field, message: { en, de } }]);

/** Backup targets: operators define them; every tenant's backups go to one of them. */
export function createBackupTargets(d: Deps) {
  const { db, clock } = d;

  async function find(idOrName: string): Promise<BackupTargetsTable> {
    const row = await db.selectFrom('backup_targets').selectAll().where(idOrName.startsWith('bkt_') ? 'id' : 'name', '=', idOrName).executeTakeFirst();
    if (!row) throw new DomainError('BACKUP_TARGET_NOT_FOUND', { id: idOrName });
    return row;
  }

  /** Probes the target and stores what it found. */
  async function refresh(row: BackupTargetsTable): Promise<BackupTargetsTable> {
    const probe = await d.driver.probeTarget(targetSpec(row));
    const health: BackupTargetHealth = { reachable: probe.reachable, totalBytes: probe.totalBytes, freeBytes: probe.freeBytes, ...(probe.error ? { error: probe.error } : {}), checkedAt: iso(clock())! };
    await db.updateTable('backup_targets').set({ health: JSON.stringify(health), updated_at: clock() }).where('id', '=', row.id).execute();
    return { ...row, health: JSON.stringify(health) };
  }

  return {
    find,
    refresh,
    /** Every target, with its last health. */
    async list(): Promise<BackupTarget[]> {
      return (await db.selectFrom('backup_targets').selectAll().orderBy('id').execute()).map(toTarget);
    },
    get: async (idOrName: string) => toTarget(await find(idOrName)),
    /** Probes a target now. */
    probe: async (p: Principal, idOrName: string) => {
      requireRole(p, 'operator', { en: 'check backup targets', de: 'Backup-Ziele prüfen' });
      return toTarget(await refresh(await find(idOrName)));
    },
    /** The target a backup goes to: the one named, or the default. */
    async resolve(idOrName: string | undefined): Promise<BackupTargetsTable> {
      if (idOrName) return find(idOrName);
      const rows = await db.selectFrom('backup_targets').selectAll().execute();
      const chosen = rows.find((r) => r.is_default === 1) ?? (rows.length === 1 ? rows[0] : undefined);
      if (!chosen) throw new DomainError('BACKUP_TARGET_REQUIRED');
      return chosen;
    },
    /** Defines a target (operators only); an SFTP target's key goes into the engine's files, never the store. */
    async create(p: Principal, body: CreateBackupTarget, requestId: string): Promise<BackupTarget> {
      requireRole(p, 'operator', { en: 'define backup targets', de: 'Backup-Ziele festlegen' });
      if (body.kind === 'sftp') {
        if (!body.host) throw invalid('an SFTP target needs a host', 'ein SFTP-Ziel braucht einen Host', 'host');
        if (!body.privateKey) throw invalid('an SFTP target needs a private key', 'ein SFTP-Ziel braucht einen privaten Schlüssel', 'privateKey');
        if (!body.hostKey) throw invalid("an SFTP target needs the host's public key", 'ein SFTP-Ziel braucht den öffentlichen Schlüssel des Hosts', 'hostKey');
      } else if (body.host || body.privateKey) {
        throw invalid('a directory target takes no host or key', 'ein Verzeichnis-Ziel hat keinen Host und keinen Schlüssel', body.host ? 'host' : 'privateKey');
      }
      if (await db.selectFrom('backup_targets').select('id').where('name', '=', body.name).executeTakeFirst()) throw new DomainError('NAME_TAKEN', { kind: 'backup target', name: body.name });
      const now = clock();
      const config = body.kind === 'sftp' ? { path: body.path, host: body.host, port: body.port ?? 22, user: body.user ?? 'root' } : { path: body.path };
      const row: BackupTargetsTable = {
        id: d.ids('bkt'),
        name: body.name,
        kind: body.kind,
        config: JSON.stringify(config),
        is_default: body.default ? 1 : 0,
        health: JSON.stringify({ reachable: false, totalBytes: null, freeBytes: null, checkedAt: null }),
        created_at: now,
        updated_at: now,
      };
      await d.driver.configureTarget(targetSpec(row), body.privateKey && body.hostKey ? { privateKey: body.privateKey, hostKey: body.hostKey } : undefined);
      await db.transaction().execute(async (trx) => {
        if (body.default) await trx.updateTable('backup_targets').set({ is_default: 0 }).execute();
        await trx.insertInto('backup_targets').values(row).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup-target.create', targetType: 'backup-target', targetId: row.id, detail: { name: row.name, kind: row.kind } });
      });
      return toTarget(await refresh(row));
    },
    /** Removes a target that holds no backups and no schedule points at. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      requireRole(p, 'operator', { en: 'delete backup targets', de: 'Backup-Ziele löschen' });
      const row = await find(idOrName);
      const backups = await db.selectFrom('backups').select('id').where('target_id', '=', row.id).execute();
      const schedules = await db.selectFrom('backup_schedules').select('id').where('target_id', '=', row.id).execute();
      if (backups.length + schedules.length > 0) throw new DomainError('BACKUP_TARGET_IN_USE', { id: row.name, count: backups.length + schedules.length });
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('backup_targets').where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'backup-target.delete', targetType: 'backup-target', targetId: row.id, detail: { name: row.name } });
      });
      await d.driver.removeTarget(row.id);
    },
  };
}

/** The backup-targets service. */
export type BackupTargets = ReturnType<typeof createBackupTargets>;
