/**
 * A control plane killed (SIGKILL) while restic is reading a server's disk into the repository:
 * after a restart the backup finishes, its verification (a restore checked byte for byte and
 * `restic check` of the repository) passes, a restore as a new server has the exact bytes, and no
 * restic process of the killed run is left. Killed again during a second verification, the
 * verification finishes after the restart and its throwaway server goes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { backupApi } from '@kumulus/api';
import { lxcAttach } from '../src/drivers/local/lxc.ts';
import { crashSandbox } from './child.ts';

/** restic processes working on a repository under `dir`. */
const resticUnder = (dir: string) =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /\brestic\b/.test(l) && l.includes(dir));

describe('crash during a backup [sqlite]', () => {
  const box = crashSandbox('bkcrash', 'kmt_backup_crash_token_0123456789');
  const { dataDir, engine } = box;
  after(async () => {
    await box.kill();
    // A restic the killed control plane left running would hold the data dir.
    for (const line of resticUnder(dataDir)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    await box.cleanup();
  });

  test('SIGKILL while restic reads the disk and while a verification restores: both finish after a restart, the bytes come back, nothing is left', async () => {
    let run = await box.start();
    const target = join(dataDir, 'target');
    await backupApi(run.client).createTarget({ name: 'here', kind: 'dir', path: target, default: true });
    const srv = await run.client.createServer({ name: 'bkcrash', plan: 'nano', image: 'tiny' });
    assert.equal((await run.client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
    const id = srv.server.id;
    const sh = async (script: string) => {
      const r = await lxcAttach(join(dataDir, 'lxc'), id, ['sh', '-c', script]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      return r.stdout.trim();
    };
    // Random data, so restic takes a moment to chunk and encrypt it.
    const sum = await sh("head -c 268435456 /dev/urandom > /root/data && sync && sha256sum /root/data | cut -d' ' -f1");

    const made = await backupApi(run.client).create('bkcrash', { mode: 'snapshot' });
    let seen = false;
    for (let i = 0; i < 3000 && !seen; i++) {
      seen = resticUnder(target).some((l) => / backup /.test(l));
      if (!seen) await sleep(5);
    }
    await box.kill();
    assert.ok(seen, 'the kill came while restic was backing the disk up');

    run = await box.start();
    const op = await run.client.waitOperation(made.operation.id, 120);
    for (let i = 0; i < 600 && (await backupApi(run.client).get(made.backup.id)).status.phase !== 'Ready'; i++) await sleep(250);
    const b = await backupApi(run.client).get(made.backup.id);
    assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
    assert.equal(b.status.phase, 'Ready');
    assert.equal(b.status.verification.state, 'good', b.status.verification.detail);

    // Restored as a new server: the bytes written before the backup.
    const restored = await backupApi(run.client).restore(made.backup.id, { into: 'new', name: 'bkcrash-back' });
    assert.equal((await run.client.waitOperation(restored.operation.id, 120)).state, 'succeeded');
    for (let i = 0; i < 240 && (await run.client.getServer(restored.server.id)).status.phase !== 'Running'; i++) await sleep(250);
    const back = await lxcAttach(join(dataDir, 'lxc'), restored.server.id, ['sh', '-c', "sha256sum /root/data | cut -d' ' -f1"]);
    assert.equal(back.stdout.trim(), sum, 'the exact bytes');

    // Killed again while a second verification restores the backup into its throwaway server.
    const again = await backupApi(run.client).verify(made.backup.id);
    const throwaway = `srv_vfy${made.backup.id.replace(/^bkp_/, '')}`;
    let verifying = false;
    for (let i = 0; i < 3000 && !verifying; i++) {
      verifying = (await engine.compute.list()).includes(throwaway);
      if (!verifying) await sleep(5);
    }
    await box.kill();
    assert.ok(verifying, 'the kill came while the throwaway server was being made');
    run = await box.start();
    assert.equal((await run.client.waitOperation(again.id, 120)).state, 'succeeded');
    for (let i = 0; i < 600 && (await backupApi(run.client).get(made.backup.id)).status.phase !== 'Ready'; i++) await sleep(250);
    assert.equal((await backupApi(run.client).get(made.backup.id)).status.verification.state, 'good');
    for (let i = 0; i < 120 && (await engine.compute.list()).includes(throwaway); i++) await sleep(250);
    assert.equal((await engine.compute.list()).includes(throwaway), false, 'the throwaway server is gone');

    assert.deepEqual(resticUnder(dataDir), [], 'no restic process of the killed runs is left');
    for (const s of [id, restored.server.id]) assert.equal((await run.client.waitOperation((await run.client.deleteServer(s)).id, 90)).state, 'succeeded');
  });
});
