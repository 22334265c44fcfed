import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { snapshotConformance } from '../../../test/conformance/snapshots.ts';
import { type StorageSubject, storageConformance } from '../../../test/conformance/storage.ts';
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
const dirSubject = async (): Promise<StorageSubject> => {
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
        ...(existsSync(join(t.root, 'volumes', 'snapshots', id)) ? [join(t.root, 'volumes', 'snapshots', id)] : []),
      ];
    },
  };
};
storageConformance('dir', dirSubject);
snapshotConformance('dir', dirSubject);

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

test('a snapshot cut short by a killed process leaves nothing: its copy is removed and what it froze is thawed', async (t) => {
  const sandbox = await makeLocalTestEngine();
  t.after(() => sandbox.cleanup());
  const st = sandbox.engine.storage;
  const image = await sandbox.engine.images.prepare('tiny');
  const srv = 'srv_crashsnap1';
  await sandbox.engine.compute.create({ id: srv, kind: 'container', hostname: 'crash', image, vcpus: 1, memoryMb: 128, diskGb: 1, sshKeys: [], nics: [] });
  await sandbox.engine.compute.start(srv);
  await st.create({ id: 'vol_crashsnap1', sizeGb: 1, format: 'ext4' });
  await st.attach('vol_crashsnap1', { instance: srv, path: '/mnt/data' });
  // What a process killed in the middle of a snapshot leaves: the guest and the volume's
  // filesystem frozen, its marker, and a half copy under its PID.
  const dead = spawnSync('true').pid;
  const mount = join(sandbox.root, 'volume-mounts', 'vol_crashsnap1');
  spawnSync('lxc-freeze', ['-P', sandbox.lxcPath, '-n', srv]);
  spawnSync('fsfreeze', ['--freeze', mount]);
  const marker = join(sandbox.root, 'volume-mounts', `.frozen-vol_crashsnap1-${dead}.json`);
  await writeFile(marker, JSON.stringify({ lxcPath: sandbox.lxcPath, instance: srv, mounts: [mount] }));
  const snaps = join(sandbox.root, 'volumes', 'snapshots', 'vol_crashsnap1');
  await mkdir(snaps, { recursive: true });
  const half = join(snaps, `.snp_crash1.creating-${dead}.img`);
  await writeFile(half, 'half');
  assert.match(spawnSync('lxc-info', ['-P', sandbox.lxcPath, '-n', srv, '-s']).stdout.toString(), /FROZEN/);

  assert.deepEqual(await st.listSnapshots({ kind: 'volume', id: 'vol_crashsnap1' }), [], 'a half copy is no snapshot');
  await st.snapshot({ kind: 'volume', id: 'vol_crashsnap1' }, 'snp_crash1');
  assert.equal(existsSync(half), false, 'the half copy is gone');
  assert.equal(existsSync(marker), false, 'the marker is gone');
  assert.match(spawnSync('lxc-info', ['-P', sandbox.lxcPath, '-n', srv, '-s']).stdout.toString(), /RUNNING/, 'the guest is thawed');
  const w = await lxcAttach(sandbox.lxcPath, srv, ['sh', '-c', 'echo ok > /mnt/data/after && cat /mnt/data/after']);
  assert.equal(w.stdout.trim(), 'ok', 'the volume takes writes again');
  assert.deepEqual(await st.listSnapshots({ kind: 'volume', id: 'vol_crashsnap1' }), ['snp_crash1']);
  await st.destroy('vol_crashsnap1');
  assert.equal(existsSync(snaps), false, 'the volume took its snapshots with it');
  await sandbox.engine.compute.destroy(srv);
});
