import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiError, type BackupSchedule, backupApi } from '@kumulus/api';
import { lxcAttach } from '../../src/drivers/local/lxc.ts';
import { describeEachStore, raw } from '../stores.ts';

describeEachStore(
  'backups API',
  (get) => {
    const sh = async (server: string, script: string) => {
      const r = await lxcAttach(join(get().dataDir, 'lxc'), server, ['sh', '-c', script]);
      assert.equal(r.code, 0, `${script}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const fill = (path: string) => `head -c 2097152 /dev/urandom > ${path} && sync && sha256sum ${path} | cut -d' ' -f1`;
    const sum = (path: string) => `sha256sum ${path} | cut -d' ' -f1`;
    // /wait holds at most 120 s; backups of 3 GB on a loaded machine take longer.
    const settle = async (opId: string, seconds: number) => {
      for (let left = seconds; ; left -= 120) {
        const op = await get().client.waitOperation(opId, Math.min(120, left));
        if (op.state === 'succeeded' || op.state === 'failed' || left <= 120) return op;
      }
    };
    const running = async (id: string) => {
      for (let i = 0; i < 240 && (await get().client.getServer(id)).status.phase !== 'Running'; i++) await sleep(250);
      assert.equal((await get().client.getServer(id)).status.phase, 'Running');
    };

    test('a running server with a volume is backed up (deduplicated, verified by reading it back), restored into itself behind a typed confirmation and as a new server, byte for byte', async () => {
      const { client, url, operatorToken: token, dataDir } = get();
      const api = backupApi(client);
      const target = await api.createTarget({ name: 'local', kind: 'dir', path: join(dataDir, 'backup-target'), default: true });
      assert.equal(target.health.reachable, true);
      assert.ok(target.health.freeBytes! > 0, JSON.stringify(target.health));
      const bad = await raw(url, 'POST', '/backup-targets', { token, body: JSON.stringify({ name: 'remote', kind: 'sftp', path: '/srv/backups' }), headers: { 'accept-language': 'de' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.code, 'BACKUP_TARGET_INVALID');
      assert.match(bad.body.error.message, /Host/);

      const srv = await client.createServer({ name: 'bk-srv', plan: 'nano', image: 'tiny' });
      const vol = await client.createVolume({ name: 'bkvol', sizeGb: 1 });
      assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
      assert.equal((await client.waitOperation(vol.operation.id, 60)).state, 'succeeded');
      assert.equal((await client.waitOperation((await client.attachVolume('bkvol', { server: 'bk-srv' })).id, 90)).state, 'succeeded');
      const id = srv.server.id;
      const rootSum = await sh(id, fill('/root/data'));
      const volSum = await sh(id, fill('/mnt/bkvol/blob'));

      const snaps = [await client.createSnapshot('servers', id, { name: 'pre' }), await client.createSnapshot('volumes', 'bkvol', { name: 'vpre' })];
      for (const x of snaps) assert.equal((await client.waitOperation(x.operation.id, 90)).state, 'succeeded');

      const made = await api.create('bk-srv', { mode: 'snapshot', notes: 'before the upgrade' });
      assert.equal(made.operation.kind, 'backup.create');
      // A rollback while the backup reads the disks (the server's, or the volume attached to it) waits for it.
      for (const [of, owner, name] of [['servers', id, 'pre'], ['volumes', 'bkvol', 'vpre']] as const) {
        const refused = await raw(url, 'POST', `/${of}/${owner}/snapshots/${name}/actions/rollback`, { token, body: JSON.stringify({ confirm: name }) });
        assert.equal(refused.status, 409, JSON.stringify(refused.body));
        assert.equal(refused.body.error.code, 'SNAPSHOT_BACKUP_RUNNING');
        assert.match(refused.body.error.message, new RegExp(made.backup.id));
        await client.waitOperation((await client.deleteSnapshot(of, owner, name)).id, 90);
      }
      const op = await settle(made.operation.id, 1500);
      assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
      const b = await api.get(made.backup.id);
      assert.equal(b.status.phase, 'Ready');
      assert.equal(b.notes, 'before the upgrade');
      assert.equal(b.status.verification.state, 'good', b.status.verification.detail);
      assert.ok(b.status.verification.checkedAt && b.status.verification.durationMs! >= 0);
      assert.deepEqual(b.status.disks.map((d) => d.name).sort(), ['root', vol.volume.id].sort());
      assert.equal(b.status.sizeBytes, 3 * 1024 ** 3, 'the 2 GB root disk and the 1 GB volume');
      assert.ok(b.status.dedupBytes! > 4 * 1024 * 1024 && b.status.dedupBytes! < b.status.sizeBytes! / 4, `dedup ${b.status.dedupBytes}`);
      assert.equal(await sh(id, 'echo alive'), 'alive', 'the guest kept running');
      assert.equal((await client.getServer(id)).status.phase, 'Running');
      assert.deepEqual(await get().running.engine.storage.listSnapshots({ kind: 'server', id }), [], 'the storage snapshot is gone again');
      assert.deepEqual((await api.list({ server: 'bk-srv' })).items.map((x) => x.id), [b.id]);
      // The backup is billed by its size from its copy on (the cost monitor lists it as held).
      const billed = (await client.billingSummary({})).resources.find((r) => r.resourceId === b.id);
      assert.deepEqual([billed?.resourceType, billed?.billedAs, billed?.sizeGb], ['backup', 'held', 3]);

      await sh(id, 'echo changed > /root/data && rm /mnt/bkvol/blob && sync');
      const wrong = await raw(url, 'POST', `/backups/${b.id}/actions/restore`, { token, body: '{"into":"same","confirm":"bk-sr"}', headers: { 'accept-language': 'de' } });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.error.code, 'BACKUP_CONFIRMATION');
      assert.match(wrong.body.error.message, /Bestätigung/);
      assert.equal(await sh(id, 'cat /root/data'), 'changed', 'a refused restore changes nothing');
      const same = await api.restore(b.id, { into: 'same', confirm: 'bk-srv' });
      const restored = await settle(same.operation.id, 1500);
      assert.equal(restored.state, 'succeeded', JSON.stringify(restored.error));
      assert.equal(restored.kind, 'backup.restore');
      await running(id);
      assert.equal(await sh(id, sum('/root/data')), rootSum, 'the root disk came back byte for byte');
      assert.equal(await sh(id, sum('/mnt/bkvol/blob')), volSum, 'the volume came back byte for byte');

      const other = await api.restore(b.id, { into: 'new', name: 'bk-copy' });
      assert.equal(other.server.name, 'bk-copy');
      const copied = await settle(other.operation.id, 1500);
      assert.equal(copied.state, 'succeeded', JSON.stringify(copied.error));
      await running(other.server.id);
      assert.equal(await sh(other.server.id, sum('/root/data')), rootSum, 'the new server holds the backed-up file');

      // A second backup of the root disk alone, the guest stopped for the copy: almost everything is deduplicated.
      await client.waitOperation((await client.detachVolume('bkvol')).id, 60);
      const stopped = await api.create(id, { mode: 'stop', protected: true });
      assert.equal((await settle(stopped.operation.id, 1500)).state, 'succeeded');
      const b2 = await api.get(stopped.backup.id);
      assert.equal(b2.mode, 'stop');
      assert.equal(b2.status.verification.state, 'good');
      assert.ok(b2.status.dedupBytes! < b.status.dedupBytes! / 2, `the second backup added ${b2.status.dedupBytes} bytes, the first ${b.status.dedupBytes}`);
      await running(id);

      // Protected backups are not deleted until their protection is lifted.
      await assert.rejects(api.delete(b2.id), (e: ApiError) => e.status === 409 && e.code === 'BACKUP_PROTECTED');
      assert.equal((await api.update(b2.id, { protected: false, notes: 'weekly' })).notes, 'weekly');
      assert.equal((await client.waitOperation((await api.delete(b2.id)).id, 120)).state, 'succeeded');
      await assert.rejects(api.get(b2.id), (e: ApiError) => e.status === 404 && e.code === 'BACKUP_NOT_FOUND');
      await assert.rejects(api.deleteTarget('local'), (e: ApiError) => e.status === 409 && e.code === 'BACKUP_TARGET_IN_USE');

      await client.waitOperation((await client.deleteServer(other.server.id)).id, 90);
      await client.waitOperation((await client.deleteVolume('bkvol')).id, 60);
      await client.waitOperation((await client.deleteServer(id)).id, 90);
      assert.equal((await client.waitOperation((await api.delete(b.id)).id, 120)).state, 'succeeded');
      await api.deleteTarget('local');
    });

    test('a schedule previews its runs, refuses impossible lines and policies that keep nothing, backs up its servers when run and prunes them by its retention; the simulator shows what a policy keeps', async () => {
      const { client, url, operatorToken: token, dataDir } = get();
      const api = backupApi(client);
      await api.createTarget({ name: 'nightly', kind: 'dir', path: join(dataDir, 'nightly-target'), default: true });
      const preview = await raw(url, 'POST', '/backup-schedules/preview', { token, body: JSON.stringify({ cron: '0 3 * * *', timeZone: 'Europe/Berlin', count: 3 }) });
      assert.equal(preview.status, 200);
      assert.equal(preview.body.nextRuns.length, 3);
      assert.ok(preview.body.nextRuns.every((t: string) => /T0[12]:00:00/.test(t)), preview.body.nextRuns.join(' '));
      const never = await raw(url, 'POST', '/backup-schedules/preview', { token, body: JSON.stringify({ cron: '0 0 31 2 *' }), headers: { 'accept-language': 'de' } });
      assert.equal(never.status, 422);
      assert.equal(never.body.error.code, 'SCHEDULE_INVALID');
      assert.match(never.body.error.message, /trifft nie zu/);

      const srv = await client.createServer({ name: 'sched-srv', plan: 'nano', image: 'tiny', labels: { backup: 'nightly' } });
      assert.equal((await client.waitOperation(srv.operation.id, 90)).state, 'succeeded');
      const nothing = await raw(url, 'POST', '/backup-schedules', { token, body: JSON.stringify({ name: 'bad', selector: 'backup=nightly', cron: '0 3 * * *', retention: { keepLast: 0 } }) });
      assert.equal(nothing.status, 422);
      assert.equal(nothing.body.error.code, 'RETENTION_INVALID');

      const schedule = (await (await fetch(`${url}/api/v1/backup-schedules`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nightly', selector: 'backup=nightly', cron: '0 3 * * *', retention: { keepLast: 1 } }) })).json()) as BackupSchedule;
      assert.equal(schedule.nextRuns.length, 5);
      const ours = async () => (await api.list({ server: srv.server.id })).items.filter((b) => b.scheduleId === schedule.id);
      const settled = async (count: number, without?: string) => {
        for (let i = 0; i < 1200; i++) {
          const list = await ours();
          if (list.length === count && list.every((b) => b.id !== without && b.status.phase === 'Ready' && b.status.verification.state !== 'pending')) return list;
          await sleep(500);
        }
        assert.fail(`the schedule did not settle on ${count} backups: ${JSON.stringify(await ours())}`);
      };
      assert.equal((await raw(url, 'POST', `/backup-schedules/${schedule.id}/actions/run`, { token, body: '{}' })).status, 202);
      const [first] = await settled(1);
      assert.equal(first!.status.verification.state, 'good', first!.status.verification.detail);
      assert.equal((await raw(url, 'POST', '/backup-schedules/nightly/actions/run', { token, body: '{}' })).status, 202);
      // keepLast 1: the second backup replaces the first once it is verified.
      const [second] = await settled(1, first!.id);
      assert.notEqual(second!.id, first!.id);
      await assert.rejects(api.get(first!.id), (e: ApiError) => e.code === 'BACKUP_NOT_FOUND');

      const sim = await raw(url, 'POST', '/backup-schedules/prune-simulator', {
        token,
        body: JSON.stringify({ retention: { keepDaily: 1, keepWeekly: 1 }, backups: ['2019-12-01T11:59:15Z', '2019-12-02T11:59:15Z', '2019-12-03T11:59:15Z', '2019-12-04T11:59:15Z'].map((time) => ({ time })) }),
      });
      assert.equal(sim.status, 200);
      assert.deepEqual(
        sim.body.decisions.map((x: { mark: string; reason?: string }) => `${x.mark}${x.reason ? `:${x.reason}` : ''}`),
        ['keep:keepDaily', 'remove', 'remove', 'keep:keepWeekly'],
      );
      const real = await raw(url, 'POST', '/backup-schedules/prune-simulator', { token, body: JSON.stringify({ retention: { keepLast: 3 }, server: 'sched-srv' }) });
      assert.deepEqual(real.body.decisions.map((x: { id: string }) => x.id), [second!.id]);

      assert.equal((await raw(url, 'DELETE', '/backup-schedules/nightly', { token })).status, 204);
      await client.waitOperation((await client.deleteServer(srv.server.id)).id, 90);
      assert.equal((await client.waitOperation((await api.delete(second!.id)).id, 120)).state, 'succeeded');
    });
  },
  // Backups of 3 GB run for minutes on a loaded machine: dunning must not suspend the test tenant (and stop its servers) meanwhile.
  { volumeQuotaGb: 30, dunning: { everyMs: 24 * 3_600_000 } },
);
