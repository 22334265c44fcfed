/**
 * Verification by an actual restore: the backup's root disk is restored into a throwaway server
 * (no NIC at all, so it reaches nothing and nothing reaches it; restored at idle I/O priority),
 * which is started and looked into — its init must come up — and destroyed again. The restore
 * itself compares every byte with the checksum the backup's manifest recorded; the other disks
 * (volumes) are read back and compared the same way, and the repository's structure is checked.
 *
 * The throwaway is named after the backup (`srv_vfy…`), so a pass killed halfway finds and
 * destroys what the previous one left before it starts, and the engine sweep leaves it alone only
 * while its backup is being verified.
 */
import { type BackupCheck, BackupDataError, type BackupDriver, type BackupRepo } from '../../drivers/backup-types.ts';
import type { ComputeDriver, StorageDriver, TaskRef } from '../../drivers/types.ts';

/** The id of the throwaway server a backup is verified in. */
export const throwawayId = (backupId: string) => `srv_vfy${backupId.replace(/^bkp_/, '')}`;

/** Whether an instance id names a verification throwaway, and of which backup. */
export function throwawayOf(instanceId: string): string | null {
  return instanceId.startsWith('srv_vfy') ? `bkp_${instanceId.slice('srv_vfy'.length)}` : null;
}

/** What a boot verification needs of the engine. */
export interface BootVerifyDeps {
  driver: BackupDriver;
  compute: ComputeDriver;
  storage: StorageDriver;
}

/** What it is told of the backup. */
export interface BootVerifyInput {
  repo: BackupRepo;
  backupId: string;
  /** The engine-level image the backed-up server was made from (the root disk holds what differs from it). */
  image: string;
  rootBytes: number;
  /** Names of the backup's other disks (volumes), read back instead of booted. */
  otherDisks: string[];
}

/** Waits for an engine task (a Proxmox UPID); the local engine answers at once with none. */
async function settle(compute: ComputeDriver, ref: TaskRef | null): Promise<void> {
  if (!ref) return;
  for (;;) {
    const t = await compute.task(ref);
    if (t.done) {
      if (t.error) throw new Error(t.error);
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Removes the throwaway instance and every snapshot a cut-short restore left on it. */
export async function destroyThrowaway(d: BootVerifyDeps, id: string): Promise<void> {
  await settle(d.compute, await d.compute.destroy(id));
  for (const snap of await d.storage.listSnapshots({ kind: 'server', id }).catch(() => [])) await settle(d.compute, await d.storage.removeSnapshot({ kind: 'server', id }, snap));
}

/** Restores the backup into a throwaway server, boots it, looks at it and destroys it. */
export async function bootVerify(d: BootVerifyDeps, b: BootVerifyInput): Promise<BackupCheck & { booted: boolean }> {
  const id = throwawayId(b.backupId);
  await destroyThrowaway(d, id);
  const checked: string[] = [];
  try {
    await settle(d.compute, await d.compute.create({ id, kind: 'container', hostname: 'verify', image: b.image, vcpus: 1, memoryMb: 256, diskGb: Math.max(1, Math.ceil(b.rootBytes / 1024 ** 3)), sshKeys: [], nics: [] }));
    try {
      await d.driver.restore(b.repo, b.backupId, new Map([['root', { name: 'root', kind: 'server', id }]]), { lowPriority: true });
    } catch (e) {
      if (e instanceof BackupDataError) return { ok: false, booted: false, detail: `restoring the root disk into a throwaway server failed: ${e.message}`, raw: e.raw };
      throw e;
    }
    checked.push(`root disk restored into a throwaway server without network (${b.rootBytes} bytes, SHA-256 matched the backup's manifest)`);
    const rest = b.otherDisks.length ? await d.driver.verify(b.repo, b.backupId, { only: b.otherDisks }) : await d.driver.checkRepo(b.repo);
    if (!rest.ok) return { ok: false, booted: false, detail: rest.detail };
    checked.push(rest.detail);
    await settle(d.compute, await d.compute.start(id));
    const guest = d.driver.guestCheck ? await d.driver.guestCheck(id) : { ok: (await d.compute.inspect(id))?.state === 'running', detail: 'the engine reports it running' };
    if (!guest.ok) return { ok: false, booted: false, detail: `${checked.join('; ')}; but the restored server did not come up: ${guest.detail}` };
    checked.push(`booted: ${guest.detail}`);
  } finally {
    await destroyThrowaway(d, id);
  }
  return { ok: true, booted: true, detail: `${checked.join('; ')}; the throwaway server was destroyed` };
}
