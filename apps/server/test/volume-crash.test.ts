/**
 * A control plane killed (SIGKILL) while a volume is being formatted, and again while it is being
 * attached to a running server: after a restart both operations finish, the guest has the volume
 * mounted and writable, and deleting everything leaves no image file, loop device or mount.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lxcAttach } from '../src/drivers/local/lxc.ts';
import { crashSandbox, loopsUnder, mountsUnder } from './child.ts';

describe('crash during volume create and attach [sqlite]', () => {
  const box = crashSandbox('volcrash', 'kmt_volume_crash_token_0123456789');
  const { dataDir } = box;
  after(() => box.cleanup());

  test('SIGKILL while a volume is formatted and while it is attached: both finish after a restart, and nothing is left', async () => {
    let run = await box.start();
    const srv = await run.client.createServer({ name: 'volcrash', plan: 'nano', image: 'tiny' });
    assert.equal((await run.client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
    const id = srv.server.id;
    const sh = async (script: string) => {
      const r = await lxcAttach(join(dataDir, 'lxc'), id, ['sh', '-c', script]);
      return `${r.stdout}${r.stderr}`.trim();
    };

    // Killed while mkfs runs on the staging image (big, so formatting takes a moment).
    const volumes = join(dataDir, 'volumes');
    const made = await run.client.createVolume({ name: 'data', sizeGb: 32, format: 'ext4' });
    let seen = false;
    for (let i = 0; i < 5000 && !seen; i++) {
      seen = existsSync(volumes) && readdirSync(volumes).some((e) => /\.creating-\d+\.img$/.test(e));
      if (!seen) await sleep(1);
    }
    await box.kill();
    assert.ok(seen, 'the kill came while the volume was being made');

    run = await box.start();
    const op = await run.client.waitOperation(made.operation.id, 120);
    assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
    assert.deepEqual(readdirSync(volumes), [`${made.volume.id}.img`], 'one volume image, no half-made one');

    // Killed right after the attach was accepted, while its pass mounts the volume into the guest.
    const attach = await run.client.attachVolume('data', { server: id });
    await sleep(20);
    await box.kill();
    run = await box.start();
    const aop = await run.client.waitOperation(attach.id, 120);
    assert.equal(aop.state, 'succeeded', JSON.stringify(aop.error));
    assert.equal(await sh('echo kept > /mnt/data/f && sync && cat /mnt/data/f'), 'kept', 'mounted in the guest and writable');
    assert.match(await sh('grep " /mnt/data " /proc/mounts'), /ext4/);

    assert.equal((await run.client.waitOperation((await run.client.detachVolume('data')).id, 90)).state, 'succeeded');
    assert.equal((await run.client.waitOperation((await run.client.deleteVolume('data')).id, 90)).state, 'succeeded');
    assert.equal((await run.client.waitOperation((await run.client.deleteServer(id)).id, 90)).state, 'succeeded');
    assert.deepEqual(readdirSync(volumes), [], 'no image file is left');
    for (let i = 0; i < 120 && loopsUnder(dataDir).length > 0; i++) await sleep(250);
    assert.deepEqual(loopsUnder(dataDir), [], 'no loop device is left');
    assert.deepEqual(mountsUnder(dataDir), [], 'no mount is left');
  });
});
