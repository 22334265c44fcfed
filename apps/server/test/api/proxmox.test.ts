// `kumulus serve` pointed at a Proxmox VE endpoint (the emulator): the cluster is registered with its token
// secret sealed, checked on start (token, privileges by name), and servers made through the API land on it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KumulusClient } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { ownerOf } from '../../src/drivers/proxmox/guests.ts';
import { DomainError } from '../../src/lib/errors.ts';
import { serve } from '../../src/serve.ts';
import { createPgDatabase } from '../harness.ts';

const operatorToken = 'kmt_test_operator_token_0123456789';

describe('serve with a Proxmox VE cluster', () => {
  let emu: PveEmulator;
  let url = '';
  let fingerprint = '';
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'kumulus-pve-'));
    dirs.push(d);
    return d;
  };
  const weak = { id: 'weak@pve!kumulus', secret: 'weak-secret-0123456789', privileges: { '/': ['VM.Audit', 'Sys.Audit', 'VM.Allocate'] } };
  before(async () => {
    emu = new PveEmulator({ nodes: 2, taskMs: 10, tokens: [DEFAULT_TOKEN, weak] });
    ({ url, fingerprint } = await emu.listen());
  });
  after(async () => {
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const base = (dir: string) => ({ dataDir: dir, listen: '127.0.0.1:0', prepareImages: ['debian-12'], sweepMs: 2000, bootstrapToken: operatorToken });

  test('a server made through the API runs on the cluster; restarted without flags, the registered cluster is used', async () => {
    const dir = dataDir();
    let running = await serve({ ...base(dir), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint, watchMs: 500 } });
    try {
      assert.equal(running.engine.name, 'proxmox');
      const client = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      const created = await client.createServer({ name: 'on-pve', plan: 'nano', image: 'debian-12', start: true });
      assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
      const guests = [...emu.state.guests.values()].filter((g) => ownerOf(g.config.tags) === created.server.id);
      assert.equal(guests.length, 1, 'one guest, tagged with the server id');
      assert.equal(guests[0]!.status, 'running');
      assert.equal((await client.getServer(created.server.id)).status.phase, 'Running');
      // The secret is sealed in the store: neither the database file nor a dump holds it.
      const db = readFileSync(join(dir, 'store', 'kumulus.db'));
      assert.equal(db.includes(Buffer.from(DEFAULT_TOKEN.secret)), false);
      await running.close();
      running = await serve(base(dir));
      assert.equal(running.engine.name, 'proxmox', 'the registered cluster is used again');
      const again = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      assert.equal((await again.waitOperation((await again.deleteServer(created.server.id)).id, 60)).state, 'succeeded');
      assert.equal([...emu.state.guests.values()].filter((g) => ownerOf(g.config.tags) === created.server.id).length, 0);
    } finally {
      await running.close();
    }
  });

  test('on PostgreSQL: the cluster row holds the secret sealed, and a server runs on the cluster', async () => {
    const pg = await createPgDatabase();
    const running = await serve({ ...base(dataDir()), storeUrl: pg.url, proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint } });
    try {
      const row = await running.store.db.selectFrom('proxmox_clusters').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.token_id, DEFAULT_TOKEN.id);
      assert.ok(!row.token_secret_sealed.includes(DEFAULT_TOKEN.secret));
      const client = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      const created = await client.createServer({ name: 'on-pve-pg', plan: 'nano', image: 'debian-12', start: true });
      assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
      assert.equal((await client.getServer(created.server.id)).status.phase, 'Running');
      assert.equal((await client.waitOperation((await client.deleteServer(created.server.id)).id, 60)).state, 'succeeded');
    } finally {
      await running.close();
      await pg.drop();
    }
  });

  test('a wrong token secret or a token without the privileges stops serve with what is wrong', async () => {
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: 'wrong', fingerprint } }), (err: unknown) => err instanceof DomainError && err.code === 'PROXMOX_TOKEN_REFUSED');
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: weak.id, tokenSecret: weak.secret, fingerprint } }), (err: unknown) => {
      assert.ok(err instanceof DomainError && err.code === 'PROXMOX_PRIVILEGES_MISSING');
      assert.match(String(err.params.privileges), /VM\.PowerMgmt/);
      assert.doesNotMatch(String(err.params.privileges), /VM\.Audit/);
      return true;
    });
    const other = 'AA:'.repeat(31) + 'AA';
    await assert.rejects(serve({ ...base(dataDir()), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint: other } }), (err: unknown) => err instanceof DomainError && err.code === 'PROXMOX_UNREACHABLE' && /pinned/.test(String(err.params.reason)));
  });

  test('through the API a server on the cluster is resized, snapshotted, rolled back and rebuilt; a new password is refused with the reason', async () => {
    const running = await serve({ ...base(dataDir()), proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint, watchMs: 500 } });
    try {
      const client = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      const created = await client.createServer({ name: 'changes-pve', plan: 'nano', image: 'debian-12', start: true });
      assert.equal((await client.waitOperation(created.operation.id, 60)).state, 'succeeded');
      const id = created.server.id;
      const guest = () => [...emu.state.guests.values()].find((g) => ownerOf(g.config.tags) === id)!;
      const vmid = guest().vmid;

      const snap = await client.createSnapshot('servers', id, { name: 'before-resize' });
      assert.equal((await client.waitOperation(snap.operation.id, 60)).state, 'succeeded');
      assert.ok(guest().snapshots?.has(snap.snapshot.id), 'a PVE snapshot named after ours');

      assert.equal((await client.waitOperation((await client.resizeServer(id, 'small')).id, 60)).state, 'succeeded');
      assert.equal(guest().config.memory, '1024');
      assert.match(guest().config.rootfs ?? '', /,size=10G$/);
      assert.equal(guest().status, 'running', 'resized live');

      const back = await client.rollbackSnapshot('servers', id, snap.snapshot.id, { confirm: 'before-resize' });
      assert.equal((await client.waitOperation(back.id, 60)).state, 'succeeded');
      assert.equal(guest().config.memory, '1024', 'the plan stays after a rollback of the disk');
      assert.equal(guest().status, 'running');
      assert.deepEqual((await client.getServer(id)).status.conditions?.find((c) => c.type === 'Drift' && c.status === 'True'), undefined, 'no drift');

      // A rename: the hostname follows the name onto the running guest, live, and is no drift.
      assert.equal((await client.updateServer(id, { name: 'renamed-pve' })).spec.hostname, 'renamed-pve');
      const rename = (await client.listOperations({ order: 'desc' })).items.find((o) => o.target.id === id && o.kind === 'server.rename')!;
      assert.equal((await client.waitOperation(rename.id, 60)).state, 'succeeded');
      assert.equal(guest().config.hostname, 'renamed-pve');
      assert.equal(guest().status, 'running', 'renamed without a restart');
      assert.deepEqual((await client.getServer(id)).status.conditions?.find((c) => c.type === 'Drift' && c.status === 'True'), undefined, 'no drift after the rename');

      const reset = await client.resetServerPassword(id);
      const failed = await client.waitOperation(reset.operation.id, 60);
      assert.equal(failed.state, 'failed');
      assert.match(JSON.stringify(failed.error), /only when it is made/, 'the reason is given');

      assert.equal((await client.waitOperation((await client.deleteSnapshot('servers', id, snap.snapshot.id)).id, 60)).state, 'succeeded');
      assert.equal((await client.waitOperation((await client.rebuildServer(id, 'debian-12')).id, 60)).state, 'succeeded');
      assert.equal(guest().vmid, vmid, 'rebuilt under the same vmid');
      // The rebuild's operation ends with the new guest; the next pass starts it, as the spec wants it running.
      for (let i = 0; i < 600 && guest()?.status !== 'running'; i++) await sleep(100);
      assert.equal(guest().status, 'running', 'running again after the rebuild');
      assert.equal((await client.waitOperation((await client.deleteServer(id)).id, 60)).state, 'succeeded');
    } finally {
      await running.close();
    }
  });
  test('a server of kind vm is cloned from the cluster\'s template with cloud-init, stopped, started, renamed and purged', async () => {
    const running = await serve({ ...base(dataDir()), prepareImages: ['debian-12-vm'], proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint, watchMs: 500 } });
    try {
      const client = new KumulusClient({ baseUrl: running.url, token: operatorToken });
      const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnQ5PTf7XwTRYh3h3W0hXzm7dO4zBMzbqEmu6G6Lb7P vm@kumulus';
      const created = await client.createServer({ name: 'vm-on-pve', plan: 'small', image: 'debian-12-vm', kind: 'vm', start: true, sshKeys: [key] });
      const op = await client.waitOperation(created.operation.id, 90);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      const id = created.server.id;
      const vm = () => [...emu.state.guests.values()].filter((g) => g.type === 'qemu' && ownerOf(g.config.tags) === id);
      assert.equal(vm().length, 1, 'one VM, tagged with the server id');
      const g = vm()[0]!;
      assert.equal(g.status, 'running');
      assert.equal(g.config.name, 'vm-on-pve');
      assert.equal(decodeURIComponent(g.config.sshkeys ?? ''), key);
      const server = await client.getServer(id);
      assert.equal(server.spec.kind, 'vm');
      assert.match(g.config.ipconfig0 ?? '', /^ip=\d+\.\d+\.\d+\.\d+\/\d+(,gw=[\d.]+)?$/);
      assert.equal(server.status.phase, 'Running');
      assert.equal((await client.waitOperation((await client.serverAction(id, 'stop')).id, 60)).state, 'succeeded');
      assert.equal(vm()[0]!.status, 'stopped');
      assert.equal((await client.waitOperation((await client.serverAction(id, 'start')).id, 60)).state, 'succeeded');
      assert.equal(vm()[0]!.status, 'running');
      await client.updateServer(id, { name: 'vm-renamed' });
      const rename = (await client.listOperations({ order: 'desc' })).items.find((o) => o.target.id === id && o.kind === 'server.rename')!;
      assert.equal((await client.waitOperation(rename.id, 60)).state, 'succeeded');
      assert.equal(vm()[0]!.config.name, 'vm-renamed');
      assert.deepEqual((await client.getServer(id)).status.conditions?.find((c) => c.type === 'Drift' && c.status === 'True'), undefined, 'no drift');
      const vmid = vm()[0]!.vmid;
      assert.equal((await client.waitOperation((await client.deleteServer(id)).id, 90)).state, 'succeeded');
      assert.equal(vm().length, 0);
      assert.equal(emu.state.storages.get('local-lvm')!.volumes.filter((v) => v.volid.includes(`vm-${vmid}-`)).length, 0, 'its disks purged');
    } finally {
      await running.close();
    }
  });
});
