/**
 * `kumulus backup-target` against a real control plane and a real sshd on loopback: a directory
 * target and an SFTP target with their health and space, a wrong host key shown as unreachable,
 * and `kumulus backup` refusing a restore that names neither way, in German.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackupTarget } from '@kumulus/api';
import { startSshd, type TestSshd } from '../../server/test/sshd.ts';
import { json, runCli } from './run-cli.ts';
import { type CliTestServer, startCliTestServer } from './test-server.ts';

describe('kumulus backup-target', { timeout: 300_000 }, () => {
  let ts: CliTestServer;
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd();
    ts = await startCliTestServer();
  });
  after(async () => {
    await ts?.stop();
    await sshd?.stop();
  });

  test('a directory and an SFTP target show health and free space; a wrong host key is unreachable', async () => {
    const dir = json<BackupTarget>(await runCli(['backup-target', 'create', 'here', '--path', join(ts.dataDir, 'bk'), '--default', '-o', 'json'], { env: ts.env }));
    assert.equal(dir.health.reachable, true);
    const key = join(ts.dataDir, 'client-key');
    writeFileSync(key, sshd.privateKey, { mode: 0o600 });
    const sftp = json<BackupTarget>(await runCli(['backup-target', 'create', 'remote', '--path', sshd.dir, '--host', '127.0.0.1', '--port', String(sshd.port), '--user', 'root', '--key-file', key, '--host-key', sshd.hostKey, '-o', 'json'], { env: ts.env }));
    assert.equal(sftp.health.reachable, true, sftp.health.error);
    assert.ok(sftp.health.freeBytes! > 0 && sftp.health.totalBytes! >= sftp.health.freeBytes!);
    const wrong = json<BackupTarget>(
      await runCli(['backup-target', 'create', 'spoofed', '--path', sshd.dir, '--host', '127.0.0.1', '--port', String(sshd.port), '--key-file', key, '--host-key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0aGlzLWlzLW5vdC10aGUtaG9zdC1rZXktYXQtYWxsAA', '-o', 'json'], { env: ts.env }),
    );
    assert.equal(wrong.health.reachable, false);
    const de = await runCli(['backup-target', 'list'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(de.code, 0, de.stderr);
    assert.match(de.stdout, /NAME\s+ART\s+PFAD\s+ZUSTAND\s+FREI\s+GESAMT/);
    assert.match(de.stdout, /remote\s+sftp\s+root@127\.0\.0\.1:\d+\S+\s+erreichbar/);
    assert.match(de.stdout, /spoofed\s+sftp\s+.*nicht erreichbar/);
    const probe = await runCli(['backup-target', 'probe', 'remote'], { env: ts.env });
    assert.match(probe.stdout, /reachable/);
    assert.equal((await runCli(['backup-target', 'delete', 'spoofed'], { env: ts.env })).code, 0);
    const restore = await runCli(['backup', 'restore', 'bkp_x'], { env: { ...ts.env, KUMULUS_LANG: 'de' } });
    assert.equal(restore.code, 2);
    assert.match(restore.stderr, /--confirm SERVERNAME/);
  });
});
