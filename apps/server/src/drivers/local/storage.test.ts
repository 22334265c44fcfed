import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { storageConformance } from '../../../test/conformance/storage.ts';
import { lxcAttach } from './lxc.ts';
import { loopsOf } from './mounts.ts';
import { makeLocalTestEngine } from './test-harness.ts';

const CAP_SYS_RESOURCE = 24;

/** Whether this process holds a capability (the effective set in /proc/self/status). */
function hasCapability(bit: number): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${hex}`) >> BigInt(bit)) & 1n) === 1n;
}

/** Mount points anywhere on the host whose source or target names the volume. */
async function mountsNaming(id: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter((l) => l.includes(id));
}

// The shared storage suite against the dir backend: sparse files on the host's filesystem.
storageConformance('dir', async () => {
  const t = await makeLocalTestEngine();
  return {
    engine: t.engine,
    cleanup: t.cleanup,
    exec: (instance, argv) => lxcAttach(t.lxcPath, instance, argv),
    ...(hasCapability(CAP_SYS_RESOURCE) ? {} : { noOnlineExt4: 'this process lacks CAP_SYS_RESOURCE (a sandboxed root), which ext4 online resize needs' }),
    async leftovers(id) {
      const file = join(t.root, 'volumes', `${id}.img`);
      return [
        ...(existsSync(file) ? [file] : []),
        ...(await loopsOf(file)),
        ...(existsSync(join(t.root, 'volume-mounts', id)) ? [join(t.root, 'volume-mounts', id)] : []),
        ...(await mountsNaming(id)),
      ];
    },
  };
});

test('a volume half-made by a killed process is removed and made again, never left unformatted', async (t) => {
  const sandbox = await makeLocalTestEngine();
  t.after(() => sandbox.cleanup());
  const dir = join(sandbox.root, 'volumes');
  await mkdir(dir, { recursive: true });
  // A PID that is certainly dead: a child that has exited.
  const dead = spawnSync('true').pid;
  const staging = join(dir, `.vol_crash1.creating-${dead}.img`);
  await writeFile(staging, 'half');
  assert.equal(await sandbox.engine.storage.inspect('vol_crash1'), null, 'a staging file is no volume');
  assert.deepEqual(await sandbox.engine.storage.list(), []);
  await sandbox.engine.storage.create({ id: 'vol_crash1', sizeGb: 1, format: 'ext4' });
  assert.equal(existsSync(staging), false, 'the dead process’s staging file is gone');
  assert.equal((await sandbox.engine.storage.inspect('vol_crash1'))?.format, 'ext4');
  await sandbox.engine.storage.destroy('vol_crash1');
  assert.equal(existsSync(join(dir, 'vol_crash1.img')), false);
});
