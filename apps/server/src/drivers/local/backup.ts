/**
 * The local backup facet: restic repositories (one per tenant and target) holding each disk of a
 * server as one deduplicated file, plus a manifest with every disk's size and SHA-256. A backup
 * is complete only once its manifest is in the repository; a backup cut short by a kill leaves
 * disk snapshots without one, which the next attempt forgets before it starts again.
 *
 * Consistency comes from the storage facet: mode `snapshot` takes a storage snapshot of each disk
 * (the guest frozen only for the moment of the copy) and reads the snapshot while the guest runs
 * on; mode `suspend` freezes the guest and its filesystems once while every disk is copied, so all
 * disks are of one instant (as vzdump's suspend mode); mode `stop` stops the guest around the copies. Restores go through the storage facet's
 * rollback, so the server is stopped around the swap exactly as a snapshot rollback does.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type BackedUpDisk, BackupDataError, type BackupDisk, type BackupDriver, type BackupObservation, type BackupRepo, type BackupSource } from '../backup-types.ts';
import type { SnapshotTarget, StorageDriver } from '../types.ts';
import { createBackupFiles } from './backup/files.ts';
import { probeTarget } from './backup/probe.ts';
import { createRestic, ResticError } from './backup/restic.ts';
import { hashingPassThrough, hashingSink, sparseFileSink } from './backup/sparse-sink.ts';
import { instancePaths } from './instance-files.ts';
import { lxcAttach } from './lxc.ts';
import { thawLeftovers, withFrozen } from './storage/freeze.ts';
import type { InstanceControl } from './storage-snapshots.ts';
import type { VolumeBackend } from './storage/backend.ts';
import type { FileSnapshots } from './storage/snapshot-files.ts';

/** What a manifest (`manifest.json` in the repository) records of one backup. */
interface Manifest {
  version: 1;
  backupId: string;
  instance: string;
  mode: BackupSource['mode'];
  disks: (BackedUpDisk & { snapshot: string })[];
  addedBytes: number;
  takenAt: number;
}

/** What the local backup facet builds on. */
export interface LocalBackupOptions {
  /** The engine's backup files (keys, SSH settings, cache): `<data-dir>/backup`. */
  root: string;
  lxcPath: string;
  storage: StorageDriver;
  /** The root-disk snapshot files the storage facet keeps, to read and write them directly. */
  serverSnapshots: FileSnapshots;
  backend: VolumeBackend;
  instances: () => InstanceControl;
  /** Where freeze markers go (the storage facet's mount root), so a killed freeze is thawed by the next call. */
  markerDir: string;
  /** Host mount point of an attached volume. */
  hostMount: (volumeId: string) => string;
  /** Whether the instance runs now. */
  isRunning: (id: string) => Promise<boolean>;
}

/** Creates the local backup facet. */
export function createLocalBackup(o: LocalBackupOptions): BackupDriver {
  const files = createBackupFiles(o.root);
  const restic = createRestic(files);
  const snapOf = (backupId: string, kind: 'bk' | 'rs') => `snp_${kind}${files.checkName(backupId).slice(4)}`;
  const targetOf = (d: BackupDisk): SnapshotTarget => ({ kind: d.kind, id: d.id });
  const fileOf = (d: BackupDisk, snap: string) => {
    if (d.kind === 'server') return o.serverSnapshots.fileOf(d.id, snap);
    if (!o.backend.snapshots) throw new Error(`the ${o.backend.name} storage backend has no snapshots to back volumes up from`);
    return o.backend.snapshots.source(d.id, snap);
  };

  async function manifestOf(repo: BackupRepo, backupId: string): Promise<Manifest | null> {
    const [snap] = await restic.snapshots(repo, [files.checkName(backupId), 'manifest']);
    if (!snap) return null;
    return JSON.parse(await restic.cat(repo, snap.id, 'manifest.json')) as Manifest;
  }

  /** Copies every disk to snapshot `snap` as it is now (the caller keeps it still). */
  async function copyAll(source: BackupSource, snap: string): Promise<void> {
    for (const d of source.disks) {
      if (d.kind === 'server') await o.serverSnapshots.take(d.id, snap, instancePaths(join(o.lxcPath, d.id)).image, (copy) => copy());
      else await o.backend.snapshots?.take(d.id, snap, (copy) => copy());
    }
  }

  /** Takes a storage snapshot of every disk: the guest running (frozen for each copy), frozen around all of them, or stopped around all of them. */
  async function capture(source: BackupSource, snap: string): Promise<void> {
    if (source.mode === 'snapshot') {
      for (const d of source.disks) await o.storage.snapshot(targetOf(d), snap);
      return;
    }
    if (source.mode === 'suspend') {
      await thawLeftovers(o.markerDir);
      await o.instances().exclusive(source.instance, async () => {
        const running = await o.isRunning(source.instance);
        const mounts = source.disks.map((d) => (d.kind === 'server' ? instancePaths(join(o.lxcPath, d.id)).mnt : o.hostMount(d.id))).filter((m) => existsSync(m) && running);
        // Frozen once for all disks: they are copied at one instant, the guest suspended meanwhile.
        await withFrozen(o.markerDir, `bk-${source.instance}`, { lxcPath: o.lxcPath, instance: running ? source.instance : null, mounts }, () => copyAll(source, snap));
      });
      return;
    }
    await o.instances().whileStopped(source.instance, () => copyAll(source, snap));
  }

  return {
    capabilities: { deduplication: true, encryption: true, targetKinds: ['dir', 'sftp'], liveSnapshot: o.storage.capabilities.snapshots, stopMode: true, suspendMode: true, bootCheck: true },
    async configureTarget(spec, secrets) {
      if (spec.kind === 'sftp') {
        if (!secrets) throw new Error('an SFTP target needs a private key and the host key');
        await files.saveTarget(spec, secrets);
      }
    },
    removeTarget: (id) => files.removeTarget(id),
    probeTarget: (spec) => probeTarget(files, spec),

    async backup(repo, backupId, source) {
      await restic.ensureRepo(repo);
      await restic.unlock(repo);
      const done = await manifestOf(repo, backupId);
      if (done) return observe(done);
      // Disks of an attempt cut short: forgotten, so the backup is made whole from the start.
      await restic.forget(repo, (await restic.snapshots(repo, [backupId])).map((s) => s.id));
      const snap = snapOf(backupId, 'bk');
      const disks: Manifest['disks'] = [];
      let addedBytes = 0;
      try {
        await capture(source, snap);
        for (const d of source.disks) {
          const hashed = hashingPassThrough();
          createReadStream(fileOf(d, snap)).on('error', (e) => hashed.stream.destroy(e)).pipe(hashed.stream);
          const r = await restic.backupStream(repo, `${d.name}.img`, ['kumulus', backupId, `disk:${d.name}`], hashed.stream);
          const { sha256, bytes } = hashed.digest();
          disks.push({ name: d.name, sizeBytes: bytes, sha256, snapshot: r.snapshotId });
          addedBytes += r.addedBytes;
        }
      } finally {
        for (const d of source.disks) await o.storage.removeSnapshot(targetOf(d), snap);
      }
      const manifest: Manifest = { version: 1, backupId, instance: source.instance, mode: source.mode, disks, addedBytes, takenAt: Date.now() };
      await restic.backupStream(repo, 'manifest.json', ['kumulus', backupId, 'manifest'], Readable.from([JSON.stringify(manifest)]));
      return observe(manifest);
    },

    async inspect(repo, backupId) {
      const m = await manifestOf(repo, backupId).catch((e: Error) => {
        // A repository not made yet holds no backups.
        if (/Is there a repository|does not exist|unable to open config/.test(e.message)) return null;
        throw e;
      });
      return m ? observe(m) : null;
    },

    async remove(repo, backupIds) {
      if (backupIds.length === 0) return;
      const exists = await restic.call(repo, ['cat', 'config']).then(() => true, () => false);
      if (!exists) return;
      await restic.unlock(repo);
      const ids = new Set<string>();
      for (const b of backupIds) for (const s of await restic.snapshots(repo, [files.checkName(b)])) ids.add(s.id);
      await restic.forget(repo, [...ids]);
    },

    async restore(repo, backupId, disks, opts = {}) {
      const m = await manifestOf(repo, backupId).catch(dataError);
      if (!m) throw new BackupDataError(`backup ${backupId} is not complete in its repository`);
      const snap = snapOf(backupId, 'rs');
      for (const disk of m.disks) {
        const to = disks.get(disk.name);
        if (!to) continue;
        const file = fileOf(to, snap);
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        if (!existsSync(file)) {
          // Written under a staging name the snapshot files' sweep knows, then renamed: a kill leaves no half disk.
          const staging = join(dirname(file), `.${snap}.creating-${process.pid}.img`);
          await rm(staging, { force: true });
          try {
            const sink = await sparseFileSink(staging);
            await Promise.all([restic.dump(repo, disk.snapshot, `${disk.name}.img`, sink.stream, opts.lowPriority), finished(sink.stream)]).catch(async (e) => {
              sink.stream.destroy();
              await sink.abort();
              dataError(e);
            });
            const got = await sink.done();
            if (got.sha256 !== disk.sha256) throw new BackupDataError(`disk ${disk.name} of backup ${backupId} came back with another checksum (${got.sha256})`);
            await rename(staging, file);
          } finally {
            await rm(staging, { force: true });
          }
        }
        await o.storage.rollback(targetOf(to), snap);
        await o.storage.removeSnapshot(targetOf(to), snap);
      }
    },

    async verify(repo, backupId, opts = {}) {
      const m = await manifestOf(repo, backupId);
      if (!m) return { ok: false, detail: `backup ${backupId} has no manifest in its repository` };
      const checked: string[] = [];
      try {
        for (const disk of m.disks.filter((x) => !opts.only || opts.only.includes(x.name))) {
          const sink = hashingSink();
          await Promise.all([restic.dump(repo, disk.snapshot, `${disk.name}.img`, sink.stream, true), finished(sink.stream)]);
          const got = sink.digest();
          if (got.sha256 !== disk.sha256 || got.bytes !== disk.sizeBytes) {
            return { ok: false, detail: `disk ${disk.name} read back ${got.bytes} bytes with SHA-256 ${got.sha256}, the backup recorded ${disk.sizeBytes} bytes with ${disk.sha256}` };
          }
          checked.push(`${disk.name} (${disk.sizeBytes} bytes, SHA-256 ${disk.sha256.slice(0, 12)}…)`);
        }
        await restic.check(repo);
      } catch (e) {
        // Damaged data is a failed check; a repository busy with another call is tried again.
        if (e instanceof ResticError && !/locked|lock was created/i.test(e.stderr)) return { ok: false, detail: `the repository could not give the backup back: ${plainRestic(e.stderr)}`, raw: e.message };
        throw e;
      }
      return { ok: true, detail: `read back and matched: ${checked.join(', ')}; repository structure checked` };
    },

    async checkRepo(repo) {
      try {
        await restic.check(repo);
        return { ok: true, detail: 'repository structure checked' };
      } catch (e) {
        if (e instanceof ResticError && !/locked|lock was created/i.test(e.stderr)) return { ok: false, detail: `the repository's structure is damaged: ${plainRestic(e.stderr)}`, raw: e.message };
        throw e;
      }
    },

    async guestCheck(instance) {
      // The guest's init needs a moment after the start; attach works once it runs.
      let last = '';
      for (let i = 0; i < 60; i++) {
        const r = await lxcAttach(o.lxcPath, instance, ['/bin/sh', '-c', 'cat /proc/1/comm && ls / | wc -l']);
        if (r.code === 0) {
          const [init, entries] = r.stdout.trim().split('\n');
          if (init === 'systemd') {
            // systemd is up once it leaves "starting"; "degraded" is up too (a throwaway has no network).
            const s = await lxcAttach(o.lxcPath, instance, ['timeout', '60', 'systemctl', 'is-system-running', '--wait']);
            const state = s.stdout.trim();
            if (!['running', 'degraded'].includes(state)) return { ok: false, detail: `systemd came up as "${state}"` };
            return { ok: true, detail: `init systemd up (${state}), / holds ${entries} entries` };
          }
          if (init) return { ok: true, detail: `init ${init} up, / holds ${entries} entries` };
        }
        last = (r.stderr || r.stdout).trim().slice(0, 200);
        await new Promise((res) => setTimeout(res, 500));
      }
      return { ok: false, detail: `the guest's init did not answer within 30 s${last ? `: ${last}` : ''}` };
    },
  };
}

/** A restic failure that is not a lock held by another call means the data did not come back: rethrown as such. */
function dataError(e: unknown): never {
  if (e instanceof ResticError && !/locked|lock was created/i.test(e.stderr)) throw new BackupDataError(`the repository could not give the backup back: ${plainRestic(e.stderr)}`, e.message);
  throw e;
}

/** restic's complaint in a few plain words: no ids, paths or stack of the tool. */
function plainRestic(stderr: string): string {
  if (/ciphertext verification failed|decrypting blob|hash mismatch|checksum/i.test(stderr)) return 'its data failed the integrity check (damaged on the target)';
  if (/no such file|not found|does not exist/i.test(stderr)) return 'parts of it are missing on the target';
  if (/connection|ssh|timeout/i.test(stderr)) return 'the target did not answer';
  return 'the backup engine reported an error';
}

function observe(m: Manifest): BackupObservation {
  return { disks: m.disks.map(({ name, sizeBytes, sha256 }) => ({ name, sizeBytes, sha256 })), sizeBytes: m.disks.reduce((n, d) => n + d.sizeBytes, 0), addedBytes: m.addedBytes, takenAt: m.takenAt };
}
