/**
 * The storage conformance suite: the same tests run against every storage backend, through
 * the Engine interface (create → attach → write → stop/start → detach → attach elsewhere →
 * destroy), asserting the world: the bytes inside the guest, and nothing left on the host.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Engine, InstanceSpec, VolumeSpec } from '../../src/drivers/types.ts';
import { settle } from './compute.ts';

/** What a backend factory hands the suite. */
export interface StorageSubject {
  engine: Engine;
  /** Removes everything the engine made, also after failed tests; runs in `after()`. */
  cleanup(): Promise<void>;
  /** Runs a command inside a running instance (the guest's view of its volumes). */
  exec(instance: string, argv: string[]): Promise<{ stdout: string; code: number }>;
  /** What the backend left on the host for `id` (loop devices, mounts, files, LVs); empty when clean. */
  leftovers(id: string): Promise<string[]>;
  /** Image to clone; `tiny` unless given. */
  image?: string;
  /** Why this host cannot grow a mounted ext4 volume (root without CAP_SYS_RESOURCE); absent when it can. */
  noOnlineExt4?: string;
}

const GiB = 1024 ** 3;

/** Registers the storage conformance tests for one backend. */
export function storageConformance(name: string, makeSubject: () => Promise<StorageSubject>): void {
  describe(`storage conformance: ${name}`, () => {
    let s: StorageSubject;
    let image = '';
    const run = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
    let seq = 0;
    const st = () => s.engine.storage;

    before(async () => {
      s = await makeSubject();
      image = await s.engine.images.prepare(s.image ?? 'tiny');
    });
    after(async () => {
      await s?.cleanup();
    });

    const volume = (format: VolumeSpec['format'] = 'ext4', sizeGb = 1): VolumeSpec => ({ id: `vol_c${run}${(seq++).toString(36)}`, sizeGb, format });
    const instance = async (): Promise<string> => {
      const id = `srv_s${run}${(seq++).toString(36)}`;
      const spec: InstanceSpec = { id, kind: 'container', hostname: 'vol-test', image, vcpus: 1, memoryMb: 128, diskGb: 1, sshKeys: [], nics: [] };
      await settle(s.engine, await s.engine.compute.create(spec));
      return id;
    };
    const sh = async (instance: string, script: string) => {
      const r = await s.exec(instance, ['sh', '-c', script]);
      assert.equal(r.code, 0, `in ${instance}: ${script}`);
      return r.stdout.trim();
    };

    test('capabilities and capacity are reported', async () => {
      for (const k of ['snapshots', 'thin', 'onlineGrow', 'qos'] as const) assert.equal(typeof st().capabilities[k], 'boolean');
      const c = await st().capacity();
      assert.ok(c.totalBytes > 0 && c.freeBytes > 0 && c.freeBytes <= c.totalBytes, JSON.stringify(c));
      assert.equal(st().backend, name);
    });

    test('create is idempotent and makes a volume of the size and format asked for', async () => {
      for (const format of ['ext4', 'xfs'] as const) {
        const v = volume(format);
        assert.equal(await st().inspect(v.id), null, 'absent before create');
        await settle(s.engine, await st().create(v));
        await settle(s.engine, await st().create(v));
        const o = await st().inspect(v.id);
        assert.ok(o, 'exists after create');
        assert.equal(o.sizeBytes, GiB);
        assert.equal(o.format, format);
        assert.deepEqual(o.attachments, []);
        assert.ok(o.usedBytes < GiB, `${format}: uses less than its size (${o.usedBytes})`);
        assert.equal((await st().list()).filter((x) => x === v.id).length, 1, 'no twin');
        await settle(s.engine, await st().destroy(v.id));
        await settle(s.engine, await st().destroy(v.id));
        assert.equal(await st().inspect(v.id), null);
        assert.ok(!(await st().list()).includes(v.id));
        assert.deepEqual(await s.leftovers(v.id), [], 'nothing left on the host');
      }
    });

    test('data written in one container survives stop/start, detach and attach to another container', async () => {
      const v = volume();
      const a = await instance();
      const b = await instance();
      await settle(s.engine, await st().create(v));
      await settle(s.engine, await s.engine.compute.start(a));
      // Hot: attached to a running guest.
      await settle(s.engine, await st().attach(v.id, { instance: a, path: '/mnt/data' }));
      await settle(s.engine, await st().attach(v.id, { instance: a, path: '/mnt/data' }));
      assert.deepEqual((await st().inspect(v.id))?.attachments, [{ instance: a, path: '/mnt/data' }]);
      assert.match(await sh(a, 'grep " /mnt/data " /proc/mounts'), /\/mnt\/data/);
      const secret = randomBytes(16).toString('hex');
      await sh(a, `echo ${secret} > /mnt/data/proof && touch /mnt/data/owned && sync`);
      assert.equal(await sh(a, 'stat -c %u /mnt/data/owned'), '0', "the guest's root owns what it writes");
      // Cold: the config brings it back on the next start.
      await settle(s.engine, await s.engine.compute.stop(a, { force: true }));
      assert.deepEqual((await st().inspect(v.id))?.attachments, [{ instance: a, path: '/mnt/data' }], 'attached while stopped');
      await settle(s.engine, await s.engine.compute.start(a));
      assert.equal(await sh(a, 'cat /mnt/data/proof'), secret, 'there after stop and start');
      await settle(s.engine, await st().detach(v.id, a));
      await settle(s.engine, await st().detach(v.id, a));
      assert.deepEqual((await st().inspect(v.id))?.attachments, []);
      assert.equal(await sh(a, 'grep -c " /mnt/data " /proc/mounts || true'), '0', 'unmounted in the guest');
      // Attached to a stopped guest, it is there when the guest starts.
      await settle(s.engine, await st().attach(v.id, { instance: b, path: '/srv/files' }));
      await settle(s.engine, await s.engine.compute.start(b));
      assert.equal(await sh(b, 'cat /srv/files/proof'), secret, 'the other container reads the same bytes');
      await assert.rejects(async () => st().attach(v.id, { instance: a, path: '/mnt/data' }), /attached/, 'one container at a time');
      await settle(s.engine, await st().destroy(v.id));
      assert.equal(await sh(b, 'grep -c " /srv/files " /proc/mounts || true'), '0', 'destroy detaches first');
      assert.deepEqual(await s.leftovers(v.id), []);
      for (const id of [a, b]) await settle(s.engine, await s.engine.compute.destroy(id));
    });

    test('a volume grows online, attached to a running guest or detached, and never shrinks', async (t) => {
      if (!st().capabilities.onlineGrow) return t.skip('the backend cannot grow volumes online');
      const a = await instance();
      await settle(s.engine, await s.engine.compute.start(a));
      for (const format of ['ext4', 'xfs'] as const) {
        const v = volume(format);
        await settle(s.engine, await st().create(v));
        await settle(s.engine, await st().attach(v.id, { instance: a, path: `/mnt/${format}` }));
        await sh(a, `echo kept > /mnt/${format}/proof && sync`);
        if (format === 'ext4' && s.noOnlineExt4) {
          t.diagnostic(`ext4 grown detached only: ${s.noOnlineExt4}`);
          await settle(s.engine, await st().detach(v.id, a));
        }
        await settle(s.engine, await st().grow(v.id, 2));
        if (format === 'ext4' && s.noOnlineExt4) await settle(s.engine, await st().attach(v.id, { instance: a, path: `/mnt/${format}` }));
        assert.equal((await st().inspect(v.id))?.sizeBytes, 2 * GiB);
        const kb = Number((await sh(a, `df -k /mnt/${format} | tail -1`)).split(/\s+/)[1]);
        assert.ok(kb > 1.8 * 1024 * 1024, `${format}: the guest sees the grown filesystem (${kb} KiB)`);
        assert.equal(await sh(a, `cat /mnt/${format}/proof`), 'kept', 'data survives the grow');
        await settle(s.engine, await st().detach(v.id, a));
        // Detached, it is grown all the same, and comes back with its data.
        await settle(s.engine, await st().grow(v.id, 3));
        await settle(s.engine, await st().grow(v.id, 3));
        assert.deepEqual((await st().inspect(v.id))?.attachments, [], 'growing does not attach');
        await assert.rejects(async () => st().grow(v.id, 1), /never shrink/);
        await settle(s.engine, await st().attach(v.id, { instance: a, path: `/mnt/${format}` }));
        const kb3 = Number((await sh(a, `df -k /mnt/${format} | tail -1`)).split(/\s+/)[1]);
        assert.ok(kb3 > 2.7 * 1024 * 1024, `${format}: grown while detached (${kb3} KiB)`);
        assert.equal(await sh(a, `cat /mnt/${format}/proof`), 'kept');
        await settle(s.engine, await st().destroy(v.id));
        assert.deepEqual(await s.leftovers(v.id), []);
      }
      await settle(s.engine, await s.engine.compute.destroy(a));
    });

    test('a write limit is enforced by the kernel live and after a restart, measured with direct I/O in the guest', async (t) => {
      if (!st().capabilities.qos) return t.skip('the backend has no QoS');
      const a = await instance();
      const v = volume();
      await settle(s.engine, await s.engine.compute.start(a));
      await settle(s.engine, await st().create(v));
      await settle(s.engine, await st().attach(v.id, { instance: a, path: '/mnt/qos' }));
      const limit = 16 * 1024 * 1024;
      await settle(s.engine, await st().limit(v.id, { writeBytesPerSec: limit }));
      await settle(s.engine, await st().limit(v.id, { writeBytesPerSec: limit }));
      // Only an upper bound on the rate: the throttle must hold; a loaded host can only make it slower.
      const rate = async () => {
        const t0 = performance.now();
        await sh(a, 'dd if=/dev/zero of=/mnt/qos/f bs=1M count=32 oflag=direct 2>/dev/null');
        return (32 * 1024 * 1024) / ((performance.now() - t0) / 1000);
      };
      const live = await rate();
      assert.ok(live <= limit * 1.1, `live: ${(live / 2 ** 20).toFixed(1)} MiB/s for a limit of 16`);
      await settle(s.engine, await s.engine.compute.stop(a, { force: true }));
      await settle(s.engine, await s.engine.compute.start(a));
      const restarted = await rate();
      assert.ok(restarted <= limit * 1.1, `after a restart: ${(restarted / 2 ** 20).toFixed(1)} MiB/s for a limit of 16`);
      t.diagnostic(`16 MiB/s limit: ${(live / 2 ** 20).toFixed(1)} MiB/s live, ${(restarted / 2 ** 20).toFixed(1)} after a restart`);
      await settle(s.engine, await st().limit(v.id, {}));
      await settle(s.engine, await st().destroy(v.id));
      await settle(s.engine, await s.engine.compute.destroy(a));
      assert.deepEqual(await s.leftovers(v.id), []);
    });

    test('paths that could reach outside the guest are refused', async () => {
      const v = volume();
      const a = await instance();
      await settle(s.engine, await st().create(v));
      for (const path of ['/', 'mnt/x', '/mnt/../etc', '/proc/x', '/mnt/a b', '/dev/sda']) {
        await assert.rejects(async () => st().attach(v.id, { instance: a, path }), /not a path/, path);
      }
      await settle(s.engine, await st().destroy(v.id));
      await settle(s.engine, await s.engine.compute.destroy(a));
      assert.deepEqual(await s.leftovers(v.id), []);
    });
  });
}
