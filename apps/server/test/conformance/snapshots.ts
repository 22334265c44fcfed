/**
 * The snapshot part of the storage conformance suite, run against every backend with the
 * snapshots capability: consistent snapshots of a running server's root disk and of an attached
 * volume, a rollback that restores the exact bytes (checksummed inside the guest), clones, and
 * nothing left on the host afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { InstanceSpec } from '../../src/drivers/types.ts';
import { settle } from './compute.ts';
import type { StorageSubject } from './storage.ts';

/** Registers the snapshot conformance tests for one backend. */
export function snapshotConformance(name: string, makeSubject: () => Promise<StorageSubject>): void {
  describe(`snapshot conformance: ${name}`, () => {
    let s: StorageSubject;
    let image = '';
    const run = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
    let seq = 0;
    const st = () => s.engine.storage;
    const next = (prefix: string) => `${prefix}_n${run}${(seq++).toString(36)}`;

    before(async () => {
      s = await makeSubject();
      image = await s.engine.images.prepare(s.image ?? 'tiny');
    });
    after(async () => {
      await s?.cleanup();
    });

    const instance = async (): Promise<string> => {
      const id = next('srv');
      const spec: InstanceSpec = { id, kind: 'container', hostname: 'snap-test', image, vcpus: 1, memoryMb: 128, diskGb: 1, sshKeys: [], nics: [] };
      await settle(s.engine, await s.engine.compute.create(spec));
      await settle(s.engine, await s.engine.compute.start(id));
      return id;
    };
    const sh = async (instance: string, script: string) => {
      const r = await s.exec(instance, ['sh', '-c', script]);
      assert.equal(r.code, 0, `in ${instance}: ${script}`);
      return r.stdout.trim();
    };
    // 4 MiB of fresh random bytes and their checksum, as the guest computes it.
    const fill = (path: string) => `head -c 4194304 /dev/urandom > ${path} && sync && sha256sum ${path} | cut -d' ' -f1`;

    test('a running server is snapshotted twice and rolled back to the exact bytes of the first, then runs again', async () => {
      assert.equal(st().capabilities.snapshots, true);
      const srv = await instance();
      const target = { kind: 'server' as const, id: srv };
      const first = await sh(srv, fill('/root/data'));
      const s1 = next('snp');
      await settle(s.engine, await st().snapshot(target, s1));
      await settle(s.engine, await st().snapshot(target, s1));
      assert.equal(await sh(srv, 'echo alive'), 'alive', 'thawed after the snapshot');
      const second = await sh(srv, fill('/root/data'));
      assert.notEqual(first, second);
      const s2 = next('snp');
      await settle(s.engine, await st().snapshot(target, s2));
      assert.deepEqual((await st().listSnapshots(target)).sort(), [s1, s2].sort());
      const seen = await st().inspectSnapshot(target, s1);
      assert.ok(seen && seen.sizeBytes === 1024 ** 3 && seen.usedBytes > 4 * 1024 * 1024 && seen.usedBytes < seen.sizeBytes, JSON.stringify(seen));
      await sh(srv, 'echo after > /root/later');

      await settle(s.engine, await st().rollback(target, s1));
      assert.equal((await s.engine.compute.inspect(srv))?.state, 'running', 'started again after the rollback');
      assert.equal(await sh(srv, 'sha256sum /root/data | cut -d" " -f1'), first, 'the bytes of the first snapshot');
      assert.equal(await sh(srv, 'test -e /root/later && echo yes || echo no'), 'no', 'what came later is gone');
      await settle(s.engine, await st().rollback(target, s2));
      assert.equal(await sh(srv, 'sha256sum /root/data | cut -d" " -f1'), second, 'the bytes of the second snapshot');

      for (const id of [s1, s2]) {
        await settle(s.engine, await st().removeSnapshot(target, id));
        await settle(s.engine, await st().removeSnapshot(target, id));
      }
      assert.deepEqual(await st().listSnapshots(target), []);
      await settle(s.engine, await s.engine.compute.destroy(srv));
    });

    test('an attached volume is snapshotted, rolled back under its running server, and cloned into a new volume', async () => {
      const srv = await instance();
      const vol = next('vol');
      const target = { kind: 'volume' as const, id: vol };
      await settle(s.engine, await st().create({ id: vol, sizeGb: 1, format: 'ext4' }));
      await settle(s.engine, await st().attach(vol, { instance: srv, path: '/mnt/data' }));
      const sum = await sh(srv, fill('/mnt/data/blob'));
      const snap = next('snp');
      await settle(s.engine, await st().snapshot(target, snap));
      await sh(srv, 'echo changed > /mnt/data/blob && sync');

      await settle(s.engine, await st().rollback(target, snap));
      assert.equal((await s.engine.compute.inspect(srv))?.state, 'running');
      assert.equal(await sh(srv, 'sha256sum /mnt/data/blob | cut -d" " -f1'), sum, 'the bytes of the snapshot, in the running server');
      assert.deepEqual((await st().inspect(vol))?.attachments, [{ instance: srv, path: '/mnt/data' }], 'still attached');

      const copy = next('vol');
      await settle(s.engine, await st().cloneSnapshot(target, snap, copy));
      assert.equal((await st().inspect(copy))?.sizeBytes, 1024 ** 3);
      await settle(s.engine, await st().attach(copy, { instance: srv, path: '/mnt/copy' }));
      assert.equal(await sh(srv, 'sha256sum /mnt/copy/blob | cut -d" " -f1'), sum, 'the clone holds the snapshot');

      await settle(s.engine, await st().destroy(copy));
      await settle(s.engine, await st().destroy(vol));
      assert.deepEqual(await st().listSnapshots(target), [], 'a volume takes its snapshots with it');
      assert.deepEqual([...(await s.leftovers(vol)), ...(await s.leftovers(copy))], []);
      await settle(s.engine, await s.engine.compute.destroy(srv));
    });
  });
}
