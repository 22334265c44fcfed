import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lxcAttach } from '../src/drivers/local/lxc.ts';
import { crashSandbox, loopsUnder, mountsUnder } from './child.ts';

/** Waits until a file whose name matches `pattern` appears in `dir` (the copy under way). */
async function appears(dir: string, pattern: RegExp): Promise<string> {
  for (;;) {
    const hit = existsSync(dir) ? readdirSync(dir).find((e) => pattern.test(e)) : undefined;
    if (hit) return hit;
    await sleep(2);
  }
}

describe('crash during snapshot and rollback [sqlite]', () => {
  const box = crashSandbox('snapcrash', 'kmt_snapshot_crash_token_0123456789');
  const { dataDir } = box;
  after(() => box.cleanup());

  test('SIGKILL while the guest is frozen for a snapshot, and again in the middle of a rollback: both finish after a restart, nothing stays frozen or behind', async () => {
    let run = await box.start();
    let client = run.client;
    const srv = await client.createServer({ name: 'snapcrash', plan: 'nano', image: 'tiny' });
    assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
    const id = srv.server.id;
    const sh = async (script: string) => {
      const r = await lxcAttach(join(dataDir, 'lxc'), id, ['sh', '-c', script]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      return r.stdout.trim();
    };
    // Enough data that the copy takes a while; random, so no filesystem can compress it away.
    const sum = await sh("head -c 314572800 /dev/urandom > /root/data && sync && sha256sum /root/data | cut -d' ' -f1");

    const snapDir = join(dataDir, 'snapshots', id);
    const made = await client.createSnapshot('servers', id, { name: 'base' });
    await appears(snapDir, /\.creating-\d+\.img$/);
    await box.kill();
    assert.match(execFileSync('lxc-info', ['-P', join(dataDir, 'lxc'), '-n', id, '-s'], { encoding: 'utf8' }), /FROZEN/, 'the kill came while the guest was frozen');

    run = await box.start();
    client = run.client;
    const op = await client.waitOperation(made.operation.id, 120);
    assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
    assert.deepEqual(readdirSync(snapDir), [`${made.snapshot.id}.img`], 'one snapshot, no half copy');
    assert.deepEqual(readdirSync(join(dataDir, 'volume-mounts')).filter((e) => e.startsWith('.frozen-')), [], 'no freeze marker');
    assert.match(execFileSync('lxc-info', ['-P', join(dataDir, 'lxc'), '-n', id, '-s'], { encoding: 'utf8' }), /RUNNING/, 'thawed');
    assert.equal(await sh('echo writable > /root/after && cat /root/after'), 'writable', 'its filesystem takes writes again');

    await sh('rm /root/data && sync');
    const rb = await client.rollbackSnapshot('servers', id, 'base', { confirm: 'base' });
    await appears(join(dataDir, 'lxc', id), /^\.disk\.img\.restoring-\d+$/);
    await box.kill();

    run = await box.start();
    client = run.client;
    const rop = await client.waitOperation(rb.id, 120);
    assert.equal(rop.state, 'succeeded', JSON.stringify(rop.error));
    for (let i = 0; i < 240 && (await client.getServer(id)).status.phase !== 'Running'; i++) await sleep(250);
    assert.equal(await sh("sha256sum /root/data | cut -d' ' -f1"), sum, 'the bytes of the snapshot');
    assert.deepEqual(readdirSync(join(dataDir, 'lxc', id)).filter((e) => e.includes('restoring')), [], 'no half restored copy');
    // The old disk's loop device clears itself once LXC's monitor of the previous run lets go of
    // the guest's mount namespace (autoclear), which can lag the stop by seconds on a busy host.
    for (let i = 0; i < 120 && loopsUnder(dataDir).length > 1; i++) await sleep(250);
    assert.equal(loopsUnder(dataDir).length, 1, `only the running disk's loop device: ${loopsUnder(dataDir).join('; ')}`);

    assert.equal((await client.waitOperation((await client.deleteServer(id)).id, 90)).state, 'succeeded');
    for (let i = 0; i < 120 && existsSync(snapDir); i++) await sleep(250);
    assert.equal(existsSync(snapDir), false, 'the server took its snapshots with it');
    assert.deepEqual(loopsUnder(dataDir), [], 'no loop device is left');
    assert.deepEqual(mountsUnder(dataDir), [], 'no mount is left');
  });
});
