/**
 * The VM facet on real QEMU with the project's image, without waiting for a guest to boot (so it
 * runs in software emulation too): create, start (tap in the bridge), stop (ACPI, then forced),
 * start again, destroy; nothing stays behind — no QEMU process, tap, disk or socket.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_IMAGE_CACHE } from '../index.ts';
import { run } from '../exec.ts';
import { deleteLink, linkExists, vethName } from '../network.ts';
import { qemuPid, vmPaths } from './qemu.ts';
import { createVmCompute, type VmCompute } from './vm-compute.ts';
import { createVmImages } from './vm-images.ts';

const id = `srv_vmlife${process.pid}`;
const nic = { id: `nic_vmlife${process.pid}`, link: `kmv${process.pid % 100000}`, mac: '52:54:00:00:00:77', ipv4: '10.198.0.7/24' };
let root = '';
let vms: VmCompute;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumulus-vmlife-'));
  await run('ip', ['link', 'add', nic.link, 'type', 'bridge']);
  await run('ip', ['link', 'set', nic.link, 'up']);
  const images = createVmImages({ imageCache: process.env.KUMULUS_IMAGE_CACHE ?? DEFAULT_IMAGE_CACHE });
  await images.prepare('debian-12-vm'); // built once per machine (debootstrap), then cached
  vms = createVmCompute({ vmPath: join(root, 'vm'), images, node: 'test', stopTimeoutS: 3 });
});
after(async () => {
  await vms?.destroy(id).catch(() => {});
  await deleteLink(nic.link);
  await rm(root, { recursive: true, force: true });
});

test('create, start, stop, start, destroy leave nothing behind', async () => {
  const dir = join(root, 'vm', id);
  await vms.create({ id, kind: 'vm', hostname: 'life', image: 'debian-12-vm', vcpus: 1, memoryMb: 512, diskGb: 3, sshKeys: [], nics: [nic] });
  assert.equal((await vms.inspect(id))?.state, 'stopped');
  assert.deepEqual(await vms.list(), [id]);

  await vms.start(id);
  const up = await vms.inspect(id);
  assert.equal(up?.state, 'running');
  assert.ok(await qemuPid(id, dir), 'a QEMU process runs');
  assert.match((await run('ip', ['-o', 'link', 'show', vethName(nic.id)])).stdout, new RegExp(`master ${nic.link}`), 'the tap is in the bridge');
  assert.ok(existsSync(vmPaths(dir).qmp), 'the monitor socket is there');

  await vms.stop(id, false, false, 3); // a guest still booting ignores the button: forced at the deadline
  assert.equal((await vms.inspect(id))?.state, 'stopped');
  assert.equal(await qemuPid(id, dir), null);
  assert.equal(await linkExists(vethName(nic.id)), false, 'the tap went with QEMU');
  for (const f of [vmPaths(dir).qmp, vmPaths(dir).qga, vmPaths(dir).vnc, vmPaths(dir).pid]) assert.equal(existsSync(f), false, `${f} removed`);
  assert.ok(existsSync(vmPaths(dir).disk), 'the disk stays');

  await vms.start(id);
  assert.equal((await vms.inspect(id))?.state, 'running');
  await vms.destroy(id);
  assert.equal(existsSync(dir), false, 'no disk, seed or socket');
  assert.equal(await linkExists(vethName(nic.id)), false, 'no tap');
  assert.equal(await vms.inspect(id), null);
  assert.deepEqual(await vms.list(), []);
  await vms.destroy(id); // absent is success
});
