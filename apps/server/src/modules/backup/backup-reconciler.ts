import type { Kysely } from 'kysely';
import type { BackupDisk, BackupDriver, BackupRepo } from '../../drivers/backup-types.ts';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { message } from '../../lib/messages.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { type LifecycleChange, productKey } from '../billing/meter-kinds.ts';
import type { Operations } from '../operations/service.ts';
import { readBackupRow } from './backup-record.ts';
import { type BootVerifyDeps, bootVerify } from './boot-verify.ts';
import { targetSpec } from './targets.ts';

/** What went wrong with a backup, for the tenant's alerts (webhook event, notice, e-mail). */
export type BackupAlert = { kind: 'backup.failed' | 'backup.verification_failed'; backupId: string; tenantId: string; server: { id: string; name: string }; detail: string };

/** Failed passes in a row before the backup is marked Failed and its operations end. */
const MAX_ATTEMPTS = 4;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  driver: BackupDriver;
  operations: Operations;
  /** Whether the server exists and is not being deleted. */
  serverLive: (id: string) => Promise<boolean>;
  /** Whether the server's instance exists on the engine and its first start is done (for a restore into a new server). */
  serverReady: (id: string) => Promise<boolean>;
  /** The volumes attached to the server now. */
  volumesOf: (tenantId: string, serverId: string) => Promise<string[]>;
  /** Boots each backup in a throwaway server to verify it (engines with capability bootCheck); read-back only without. */
  boot: (BootVerifyDeps & { imageFor: (image: string) => Promise<string | null> }) | null;
  /** Records an alert in the transaction that marks the backup failed or bad. */
  alert: (trx: Kysely<Database>, a: BackupAlert) => Promise<void>;
  log: (text: string) => void;
  /** Records a billed lifecycle change (metering) inside the transaction that commits it. */
  onLifecycle?: (trx: Kysely<Database>, change: LifecycleChange) => Promise<void>;
}

/**
 * The backup reconciler: makes the backup when its repository has none, verifies it by reading
 * it back, performs the restores asked for and not yet done, and removes it when deletion is
 * asked for. A pass killed halfway is repeated: the engine forgets a backup without a manifest
 * before making it again, and a restore done twice writes the same bytes.
 */
export function createBackupReconciler(d: Deps): Reconciler {
  const { db, clock, operations } = d;
  const progress = (id: string, step: string, pct: number) => db.transaction().execute((trx) => operations.progress(trx, id, step, pct));

  return async (id, attempts) => {
    const row = await db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { againMs: null };
    const target = await db.selectFrom('backup_targets').selectAll().where('id', '=', row.target_id).executeTakeFirstOrThrow();
    const repo: BackupRepo = { target: targetSpec(target), tenantId: row.tenant_id };
    const { spec, status } = readBackupRow(row);
    let saved = false;
    // Billed by its size from when the copy is taken (meter-kinds.ts), with each status saved.
    const metered = async (trx: Kysely<Database>, phase: string, at = clock()) =>
      d.onLifecycle?.(trx, { resourceId: id, kind: 'backup', tenantId: row.tenant_id, name: row.server_name, product: productKey('backup'), quantity: status.sizeBytes ?? 0, phase, at });
    const saveOnly = (trx: Kysely<Database>) => trx.updateTable('backups').set({ status: JSON.stringify(status), updated_at: clock() }).where('id', '=', id).execute();
    const save = async (trx: Kysely<Database>) => {
      await saveOnly(trx);
      await metered(trx, status.phase);
    };
    try {
      if (row.deletion_requested_at !== null) {
        // Billing ends when deletion is asked for, not when the target has finished removing it.
        await db.transaction().execute((trx) => metered(trx, 'Deleting', row.deletion_requested_at!));
        status.phase = 'Deleting';
        await progress(id, 'removing the backup from its target', 50);
        await d.driver.remove(repo, [id]);
        await db.transaction().execute(async (trx) => {
          await operations.succeed(trx, id, row.generation, 'deleted');
          await trx.deleteFrom('backups').where('id', '=', id).execute();
          await metered(trx, 'Deleted');
        });
        saved = true;
        return { againMs: null };
      }
      if (status.takenAt === null) {
        if (status.phase === 'Failed') return { againMs: null };
        if (!(await d.serverLive(row.server_id))) {
          // The server went while its backup was due: what was copied is removed, nothing claims to be complete.
          await d.driver.remove(repo, [id]);
          throw new DomainError('SERVER_NOT_FOUND', { id: row.server_name });
        }
        status.phase = 'Running';
        status.message = 'copying the disks';
        await db.transaction().execute(save);
        await progress(id, 'copying the disks', 20);
        const disks: BackupDisk[] = [{ name: 'root', kind: 'server', id: row.server_id }, ...(await d.volumesOf(row.tenant_id, row.server_id)).map((v): BackupDisk => ({ name: v, kind: 'volume', id: v }))];
        const seen = await d.driver.backup(repo, id, { instance: row.server_id, mode: row.mode, disks });
        status.takenAt = iso(seen.takenAt)!;
        status.sizeBytes = seen.sizeBytes;
        status.dedupBytes = seen.addedBytes;
        status.disks = seen.disks.map((x) => ({ name: x.name, sizeBytes: x.sizeBytes }));
        status.phase = 'Verifying';
        status.message = 'reading the backup back';
        await db.transaction().execute(save);
      }
      const reverify = spec.verifyRequests ?? 0;
      if (reverify > (status.verifiesDone ?? 0)) {
        status.verification = { state: 'pending', checkedAt: null, durationMs: null, detail: '' };
        status.verifiesDone = reverify;
      }
      if (status.verification.state === 'pending') {
        status.phase = 'Verifying';
        status.message = 'verifying';
        await save(db);
        const started = Date.now();
        const image = d.boot && spec.source ? await d.boot.imageFor(spec.source.image) : null;
        let check: { ok: boolean; detail: string; booted?: boolean; raw?: string };
        if (d.boot && image) {
          await progress(id, 'verifying: restoring into a throwaway server and booting it', 70);
          const rootBytes = status.disks.find((x) => x.name === 'root')?.sizeBytes ?? 0;
          check = await bootVerify(d.boot, { repo, backupId: id, image, rootBytes, otherDisks: status.disks.map((x) => x.name).filter((n) => n !== 'root') });
        } else {
          await progress(id, 'verifying: reading the backup back and comparing checksums', 70);
          check = { ...(await d.driver.verify(repo, id)), booted: false };
        }
        status.verification = { state: check.ok ? 'good' : 'bad', checkedAt: iso(clock())!, durationMs: Date.now() - started, detail: check.detail, booted: check.booted ?? false };
        if (!check.ok) {
          d.log(`kumulus: backup ${id} of ${row.server_name} failed verification: ${check.detail}${check.raw ? ` (${check.raw})` : ''}`);
          // Marked bad and alerted in one transaction: a kill between them cannot lose the alert.
          await db.transaction().execute(async (trx) => {
            await save(trx);
            await d.alert(trx, { kind: 'backup.verification_failed', backupId: id, tenantId: row.tenant_id, server: { id: row.server_id, name: row.server_name }, detail: check.detail });
          });
        }
      }
      while (spec.restores.length > status.restoresDone) {
        const next = spec.restores[status.restoresDone]!;
        if (!(await d.serverReady(next.serverId))) {
          status.message = 'waiting for the server to restore into';
          return { againMs: 2000 };
        }
        status.phase = 'Restoring';
        status.message = `restoring into ${next.serverId}`;
        await db.transaction().execute(save);
        await progress(id, `restoring into ${next.serverId}`, 60);
        const map = new Map<string, BackupDisk>([['root', { name: 'root', kind: 'server', id: next.serverId }]]);
        // Into the same server the volumes go back too; a new server gets the root disk.
        if (next.into === 'same') for (const v of await d.volumesOf(row.tenant_id, next.serverId)) map.set(v, { name: v, kind: 'volume', id: v });
        await d.driver.restore(repo, id, map);
        status.restoresDone++;
      }
      status.phase = 'Ready';
      status.message = status.verification.state === 'good' ? 'verified' : 'verification failed';
      await db.transaction().execute(async (trx) => {
        await save(trx);
        await operations.succeed(trx, id, row.generation, status.message);
      });
      saved = true;
      return { againMs: null };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const code = err instanceof DomainError ? err.code : 'ENGINE_ERROR';
      const plain = message('en', code, err instanceof DomainError ? err.params : {});
      if (attempts + 1 >= MAX_ATTEMPTS || err instanceof DomainError) {
        d.log(`kumulus: backup ${id} failed: ${detail}`);
        if (spec.restores.length > status.restoresDone) status.restoresDone = spec.restores.length;
        status.phase = status.takenAt ? 'Ready' : 'Failed';
        status.message = plain;
        // A backup that failed for good leaves nothing in its repository that could pass for it.
        if (!status.takenAt) await d.driver.remove(repo, [id]).catch((e: Error) => d.log(`kumulus: removing what backup ${id} left: ${e.message}`));
        await db.transaction().execute(async (trx) => {
          await save(trx);
          await operations.fail(trx, id, { code, message: plain, detail });
          if (!status.takenAt) await d.alert(trx, { kind: 'backup.failed', backupId: id, tenantId: row.tenant_id, server: { id: row.server_id, name: row.server_name }, detail: plain });
        });
        saved = true;
        return { againMs: null };
      }
      status.message = `${plain} Trying again (attempt ${attempts + 2} of ${MAX_ATTEMPTS}).`;
      throw err;
    } finally {
      if (!saved) await db.transaction().execute(save);
    }
  };
}
