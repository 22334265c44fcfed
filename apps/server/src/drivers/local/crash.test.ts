/**
 * A process SIGKILLed in the middle of create or destroy: the next call must clean up whatever
 * was left (staging dir, mounted disk, trash) and converge, with no twin and no leak.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceSpec } from '../types.ts';
import { run } from './exec.ts';
import { mountsUnder } from './mounts.ts';
import { type LocalTestEngine, makeLocalTestEngine } from './test-harness.ts';

/** Runs one compute call in a child process and SIGKILLs it `delayMs` after it began. */
async function killDuring(t: LocalTestEngine, call: 'create' | 'destroy', arg: unknown, delayMs: number) {
  const code = `
    import { createLocalEngine } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
    const o = JSON.parse(process.env.OPTS);
    const e = createLocalEngine(o.engine);
    process.stdout.write('go\\n');
    await e.compute[o.call](o.arg);
    process.stdout.write('done\\n');`;
  const opts = {
    engine: { lxcPath: t.lxcPath, bridge: t.bridge, nftTable: t.nftTable, imageCache: process.env.KUMULUS_IMAGE_CACHE },
    call,
    arg,
  };
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, OPTS: JSON.stringify(opts) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.on('exit', r));
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.includes('go') && resolve()));
  await sleep(delayMs);
  child.kill('SIGKILL');
  await exited;
}

describe('local engine after a SIGKILL', () => {
  let t: LocalTestEngine;
  let image = '';
  let link = '';
  before(async () => {
    t = await makeLocalTestEngine();
    link = await t.engine.network.ensureDefault(t.net);
    image = await t.engine.images.prepare('tiny');
  });
  after(async () => {
    await t?.cleanup();
  });

  const spec = (i: number): InstanceSpec => ({
    id: `srv_k${process.pid.toString(36)}x${i}`,
    kind: 'container',
    hostname: `crash-${i}`,
    image,
    vcpus: 1,
    memoryMb: 64,
    diskGb: 1,
    sshKeys: ['ssh-ed25519 AAAA k@x'],
    nics: [{ id: `nic_k${i}`, link, mac: `02:00:0a:f2:00:${(16 + i).toString(16)}`, ipv4: `${t.net.prefix}.${100 + i}/24` }],
  });
  const scratch = async () => (await readdir(t.lxcPath).catch(() => [])).filter((e) => e.startsWith('.'));

  const delays = [0, 5, 10, 20, 40, 80];
  for (const [i, delay] of delays.entries()) {
    test(`create killed after ${delay} ms converges on the next create`, async (tc) => {
      const sp = spec(i);
      await killDuring(t, 'create', sp, delay);
      // Where the kill landed differs from run to run; say so, to see the cases are exercised.
      const left = (await scratch()).join(',') || ((await t.engine.compute.inspect(sp.id)) ? 'container' : 'nothing');
      tc.diagnostic(`after kill: ${left}, mounts: ${(await mountsUnder(t.lxcPath)).length}`);
      await t.engine.compute.create(sp);
      await t.engine.compute.start(sp.id);
      assert.equal((await t.engine.compute.inspect(sp.id))?.state, 'running');
      assert.equal((await t.engine.compute.list()).filter((x) => x === sp.id).length, 1);
      assert.deepEqual(await scratch(), [], 'no staging dir left');
      await killDuring(t, 'destroy', sp.id, delay);
      tc.diagnostic(`after killed destroy: ${(await scratch()).join(',') || (await t.engine.compute.inspect(sp.id))?.state || 'gone'}`);
      await t.engine.compute.destroy(sp.id);
      assert.equal(await t.engine.compute.inspect(sp.id), null);
      assert.deepEqual(await scratch(), [], 'no trash left');
      assert.deepEqual(await mountsUnder(join(t.lxcPath)), []);
      assert.ok(!(await run('losetup', ['-a'])).stdout.includes(t.lxcPath));
    });
  }
});
