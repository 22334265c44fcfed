import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { startSshd, type TestSshd } from '../../../test/sshd.ts';
import type { BackupRepo, BackupTargetSpec } from '../backup-types.ts';
import { createBackupFiles } from './backup/files.ts';
import { probeTarget } from './backup/probe.ts';
import { createRestic } from './backup/restic.ts';
import { sparseFileSink } from './backup/sparse-sink.ts';

describe('backup engine: restic repositories on a directory and over SFTP', () => {
  let sshd: TestSshd;
  const dir = mkdtempSync(join(tmpdir(), 'kumulus-backup-'));
  const files = createBackupFiles(join(dir, 'engine'));
  const restic = createRestic(files);
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const sftp = (): BackupTargetSpec => ({ id: 'bkt_sftp1', kind: 'sftp', path: sshd.dir, host: '127.0.0.1', port: sshd.port, user: 'root' });

  test('a directory target and an SFTP target report health and space; a wrong host key is refused', async () => {
    const local = await probeTarget(files, { id: 'bkt_dir1', kind: 'dir', path: join(dir, 'target') });
    assert.equal(local.reachable, true);
    assert.ok(local.freeBytes! > 0 && local.totalBytes! >= local.freeBytes!, JSON.stringify(local));
    assert.equal((await probeTarget(files, sftp())).reachable, false, 'no key configured yet');
    await files.saveTarget(sftp(), { privateKey: sshd.privateKey, hostKey: sshd.hostKey });
    assert.equal(statSync(join(dir, 'engine/targets/bkt_sftp1/id')).mode & 0o777, 0o600);
    const remote = await probeTarget(files, sftp());
    assert.equal(remote.reachable, true, remote.error);
    assert.ok(remote.freeBytes! > 0 && remote.totalBytes! >= remote.freeBytes!, JSON.stringify(remote));
    const other = { ...sftp(), id: 'bkt_sftp2' };
    await files.saveTarget(other, { privateKey: sshd.privateKey, hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0aGlzLWlzLW5vdC10aGUtaG9zdC1rZXktYXQtYWxsAA' });
    const refused = await probeTarget(files, other);
    assert.equal(refused.reachable, false);
    assert.match(refused.error ?? '', /Host key|host key|verification failed/i);
  });

  test('the first backups of a tenant racing to make its repository make one that opens', async () => {
    const repo: BackupRepo = { target: { id: 'bkt_dir2', kind: 'dir', path: join(dir, 'race') }, tenantId: 'ten_racetest' };
    await Promise.all([1, 2, 3].map(() => restic.ensureRepo(repo)));
    assert.equal(readdirSync(join(dir, 'race/ten_racetest/keys')).length, 1, 'one key: two inits would write two master keys');
    await restic.backupStream(repo, 'root.img', ['kumulus', 'bkp_r1', 'disk:root'], Readable.from([Buffer.alloc(1024)]));
    assert.equal((await restic.snapshots(repo, ['bkp_r1'])).length, 1);
  });

  test('data backed up over SFTP comes back byte-identical and sparse; the same data again adds almost nothing; the tenant key is 0600', async () => {
    const repo: BackupRepo = { target: sftp(), tenantId: 'ten_backuptest' };
    await files.saveTarget(sftp(), { privateKey: sshd.privateKey, hostKey: sshd.hostKey });
    await restic.ensureRepo(repo);
    await restic.ensureRepo(repo); // twice is fine
    assert.equal(statSync(await files.tenantKey('ten_backuptest')).mode & 0o777, 0o600);
    // 4 MiB of random data between 8 MiB of zeros: the zeros must come back as holes.
    const data = Buffer.concat([Buffer.alloc(4 << 20), randomBytes(4 << 20), Buffer.alloc(4 << 20)]);
    const first = await restic.backupStream(repo, 'root.img', ['kumulus', 'bkp_t1', 'disk:root'], Readable.from([data]));
    assert.ok(first.addedBytes > 4 << 20 && first.addedBytes < 6 << 20, `added ${first.addedBytes}`);
    const second = await restic.backupStream(repo, 'root.img', ['kumulus', 'bkp_t2', 'disk:root'], Readable.from([data]));
    assert.ok(second.addedBytes < 64 * 1024, `the second backup added ${second.addedBytes} bytes`);
    assert.deepEqual((await restic.snapshots(repo, ['bkp_t2'])).map((s) => s.id.slice(0, 8)), [second.snapshotId.slice(0, 8)]);

    const out = join(dir, 'restored.img');
    const sink = await sparseFileSink(out);
    await Promise.all([restic.dump(repo, second.snapshotId, 'root.img', sink.stream), finished(sink.stream)]);
    const got = await sink.done();
    assert.equal(got.bytes, data.length);
    const { createHash } = await import('node:crypto');
    assert.equal(got.sha256, createHash('sha256').update(data).digest('hex'));
    const st = statSync(out);
    assert.equal(st.size, data.length);
    assert.ok(st.blocks * 512 < 5 << 20, `restored file takes ${st.blocks * 512} bytes`);

    await restic.forget(repo, [first.snapshotId, second.snapshotId]);
    assert.deepEqual(await restic.snapshots(repo, ['kumulus']), []);
  });
});
