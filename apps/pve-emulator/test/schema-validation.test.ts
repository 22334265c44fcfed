// The emulator refuses what Proxmox VE would refuse: each case is a request the official schema rejects.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PveEmulator } from '../src/index.ts';
import { call } from './client.ts';

describe('pve-emulator: schema validation', () => {
  let emu: PveEmulator;
  let base: { url: string; ca: string };
  let dir: string;
  const create = (extra: Record<string, string>) => ({ vmid: '150', ostemplate: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst', hostname: 'ok', ...extra });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-emu-test-'));
    emu = new PveEmulator({ nodes: 2, logRequests: join(dir, 'requests.jsonl') });
    base = await emu.listen();
  });
  after(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a wrong type is a 400 naming the parameter', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ cores: 'two' }) });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.cores ?? '', /type check \('integer'\) failed - got 'two'/);
    assert.equal(a.reason, 'Parameter verification failed.');
    assert.equal([...emu.state.guests.values()].filter((g) => g.config.template !== '1').length, 0, 'nothing was made (the VM templates a fresh cluster has aside)');
  });

  test('an unknown parameter is a 400', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ ram: '512' }) });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.ram ?? '', /property is not defined in schema/);
  });

  test('a missing required parameter is a 400', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: { vmid: '150' } });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.ostemplate ?? '', /property is missing and it is not optional/);
  });

  test('a value outside the enum is a 400', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ ostype: 'windows' }) });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.ostype ?? '', /does not have a value in the enumeration/);
  });

  test('a boolean is 0/1 or JSON true/false, never the string "true"', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ unprivileged: 'true' }) });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.unprivileged ?? '', /type check \('boolean'\) failed - got 'true'/);
    const b = await call(base, 'GET', '/cluster/nextid', { query: { vmid: '99' } });
    assert.equal(b.status, 400, 'pve-vmid starts at 100');
    assert.match(b.body.errors?.vmid ?? '', /valid VM ID/);
  });

  test('property strings are parsed: an unknown key or a bad MAC in net0 is a 400, net32 is past the limit', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ net0: 'name=eth0,bridge=vmbr0,speed=10' }) });
    assert.equal(a.status, 400);
    assert.match(a.body.errors?.net0 ?? '', /invalid key in comma-separated list property: speed/);
    const b = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ net0: 'name=eth0,hwaddr=01:00:00:00:00:01' }) });
    assert.match(b.body.errors?.net0 ?? '', /unicast MAC/);
    const c = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ net32: 'name=eth0' }) });
    assert.match(c.body.errors?.net32 ?? '', /property is not defined in schema/);
    const d = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ tags: 'kumulus;bad tag!' }) });
    assert.match(d.body.errors?.tags ?? '', /invalid format/);
  });

  test('a GET with a body is refused (501), an unknown path or method is 501, a bad token 401', async () => {
    assert.equal((await call(base, 'GET', '/nodes', { rawBody: 'x=1' })).status, 501);
    assert.equal((await call(base, 'GET', '/nodes/pve1/nonsense')).status, 501);
    assert.equal((await call(base, 'PATCH', '/nodes')).status, 501);
    const bad = await call({ ...base, auth: 'PVEAPIToken=kumulus@pve!kumulus=wrong' }, 'GET', '/nodes');
    assert.equal(bad.status, 401);
    assert.equal(bad.reason, 'Authentication failed!');
  });

  test('a valid create runs a task under a lock, then the guest is there; every request is logged', async () => {
    const a = await call(base, 'POST', '/nodes/pve1/lxc', { form: create({ net0: 'name=eth0,bridge=vmbr0,hwaddr=02:00:00:00:00:01,ip=10.0.0.5/24,gw=10.0.0.1', unprivileged: '1', tags: 'kumulus;srv_abc', rootfs: 'local-lvm:2' }) });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const upid = String(a.body.data);
    assert.match(upid, /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzcreate:150:kumulus@pve!kumulus:$/);
    let status: Record<string, unknown> = {};
    while (status.status !== 'stopped') status = (await call(base, 'GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body.data as Record<string, unknown>;
    assert.equal(status.exitstatus, 'OK');
    const conf = (await call(base, 'GET', '/nodes/pve1/lxc/150/config')).body.data as Record<string, string>;
    assert.equal(conf.lock, undefined);
    assert.equal(conf.rootfs, 'local-lvm:vm-150-disk-0,size=2G');
    assert.equal((await call(base, 'GET', '/cluster/nextid')).body.data, '100');
    const again = await call(base, 'POST', '/nodes/pve2/lxc', { form: create({}) });
    assert.equal(again.status, 500);
    assert.match(again.body.message ?? '', /CT 150 already exists on node 'pve1'/);
    assert.match((await call(base, 'POST', '/nodes/pve1/lxc/150/status/stop')).body.message ?? '', /CT 150 not running/);
    const log = (await readFile(join(dir, 'requests.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(log.some((l) => l.method === 'POST' && l.path === '/nodes/pve1/lxc' && l.params.vmid === '150'));
  });
});
