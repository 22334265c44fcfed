/**
 * The rest of a server's life on real LXC: protection refuses delete and rebuild, shutdown only
 * asks while poweroff kills, resize changes CPU and memory live and grows the disk (seen from
 * inside the guest), rebuild keeps id and address but replaces the files, and a password reset
 * is written into the guest.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiError, KumulusClient } from '@kumulus/api';
import { detectCgroupVersion, readCgroupLimits } from '../../src/drivers/local/cgroups.ts';
import { lxcAttach, lxcInfo } from '../../src/drivers/local/lxc.ts';
import { sha512Crypt } from '../../src/lib/sha512-crypt.ts';
import { describeEachStore, raw } from '../stores.ts';

async function made(client: KumulusClient, name: string, plan = 'nano', extra: Record<string, unknown> = {}) {
  const c = await client.createServer({ name, plan, image: 'tiny', ...extra });
  const op = await client.waitOperation(c.operation.id, 60);
  assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
  return c.server;
}

describeEachStore('server life API', (get) => {
  const sh = async (id: string, cmd: string) => {
    const r = await lxcAttach(join(get().dataDir, 'lxc'), id, ['sh', '-c', cmd]);
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    return r.stdout;
  };
  /** The limits as the guest reads them from its own cgroup (mounted inside it; the tiny image mounts none). */
  const guestLimits = async (id: string) => {
    const v1 = 'for c in memory cpu; do mkdir -p /tmp/cg-$c; grep -q " /tmp/cg-$c " /proc/mounts || mount -t cgroup -o $c cg /tmp/cg-$c; done; cat /tmp/cg-memory/memory.limit_in_bytes /tmp/cg-cpu/cpu.cfs_quota_us';
    const v2 = 'mkdir -p /tmp/cg2; grep -q " /tmp/cg2 " /proc/mounts || mount -t cgroup2 cg /tmp/cg2; cat /tmp/cg2/memory.max; cut -d" " -f1 /tmp/cg2/cpu.max';
    const [memory, cpu] = (await sh(id, detectCgroupVersion() === 1 ? v1 : v2)).trim().split('\n').map(Number);
    return { memoryBytes: memory, cpuQuotaUs: cpu };
  };
  const done = async (p: Promise<{ id: string }>) => {
    const op = await get().client.waitOperation((await p).id, 90);
    assert.equal(op.state, 'succeeded', JSON.stringify(op.error));
    return op;
  };

  test('protection refuses delete and rebuild with a stable code until it is lifted', async () => {
    const { client, url, operatorToken: token, running } = get();
    const s = await made(client, 'guarded', 'nano', { protection: { delete: true } });
    assert.deepEqual((await client.getServer(s.id)).protection, { delete: true, rebuild: false });
    const del = await raw(url, 'DELETE', `/servers/${s.id}`, { token, headers: { 'accept-language': 'de' } });
    assert.equal(del.status, 409);
    assert.equal(del.body.error.code, 'SERVER_PROTECTED');
    assert.match(del.body.error.message, /geschützt.*gelöscht/);
    const p2 = await client.changeServerProtection(s.id, { rebuild: true });
    assert.deepEqual(p2.protection, { delete: true, rebuild: true }, 'a flag left out stays');
    await assert.rejects(client.rebuildServer(s.id, 'tiny'), (e: ApiError) => e.status === 409 && e.code === 'SERVER_PROTECTED' && /rebuilt/.test(e.message));
    assert.equal((await running.engine.compute.inspect(s.id))?.state, 'running', 'the refused actions changed nothing');
    const bad = await raw(url, 'POST', `/servers/${s.id}/actions/change-protection`, { token, body: JSON.stringify({ delete: 'yes' }) });
    assert.equal(bad.status, 400);
    await client.changeServerProtection(s.id, { delete: false, rebuild: false });
    await done(client.deleteServer(s.id));
    assert.equal(await running.engine.compute.inspect(s.id), null);
  });

  test('poweroff kills at once, shutdown only asks and fails when the guest does not stop', async () => {
    const { client, running, dataDir } = get();
    const s = await made(client, 'power');
    await done(client.serverAction(s.id, 'poweroff'));
    assert.equal((await client.getServer(s.id)).status.phase, 'Stopped');
    await done(client.serverAction(s.id, 'start'));
    await done(client.shutdownServer(s.id, 20));
    assert.equal((await running.engine.compute.inspect(s.id))?.state, 'stopped', 'the guest shut down when asked');
    await done(client.serverAction(s.id, 'start'));
    // A frozen init cannot act on the halt signal: shutdown must give up, not kill.
    const pid = (await lxcInfo(join(dataDir, 'lxc'), s.id))!.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const op = await client.waitOperation((await client.shutdownServer(s.id, 2)).id, 60);
      assert.equal(op.state, 'failed');
      assert.equal(op.error?.code, 'SHUTDOWN_TIMEOUT');
      const after = await client.getServer(s.id);
      assert.equal(after.status.phase, 'Running', 'a guest that did not shut down is still Running');
      assert.equal(after.spec.powerState, 'running');
      assert.equal((await lxcInfo(join(dataDir, 'lxc'), s.id))?.pid, pid, 'it was not killed');
      await done(client.serverAction(s.id, 'poweroff'));
      assert.equal((await running.engine.compute.inspect(s.id))?.state, 'stopped');
    } finally {
      // Gone after the poweroff; still frozen only when an assertion above failed.
      try {
        process.kill(pid, 'SIGCONT');
      } catch {}
    }
    await done(client.deleteServer(s.id));
  });

  test('resize changes CPU and memory of the running guest without a restart and only grows the disk', async () => {
    const { client, dataDir, running } = get();
    await client.createPlan({ name: 'life-big', vcpus: 2, memoryMb: 512, diskGb: 3, priceHourly: { amount: 5, currency: 'EUR' } });
    await client.createPlan({ name: 'life-tiny', vcpus: 1, memoryMb: 128, diskGb: 3, priceHourly: { amount: 1, currency: 'EUR' } });
    const s = await made(client, 'grows');
    const pid = (await lxcInfo(join(dataDir, 'lxc'), s.id))!.pid!;
    const rootKb = async () => Number((await sh(s.id, 'df -kP / | tail -1')).trim().split(/\s+/)[1]);
    const before = await rootKb();
    assert.ok(before <= 2 * 1024 * 1024, `nano has 2 GB: ${before}`);

    await done(client.resizeServer(s.id, 'life-big'));
    let limits = await readCgroupLimits(pid);
    assert.equal(limits.cpuQuotaUs, 2 * limits.cpuPeriodUs, 'two CPUs of quota');
    assert.equal(limits.memoryBytes, 512 * 1024 * 1024);
    // Seen from inside: the guest's own cgroup files and its root filesystem.
    let inside = await guestLimits(s.id);
    assert.equal(inside.memoryBytes, 512 * 1024 * 1024, 'the guest reads its new memory limit');
    assert.equal(inside.cpuQuotaUs, 200_000, 'the guest reads two CPUs of quota');
    assert.equal((await lxcInfo(join(dataDir, 'lxc'), s.id))?.pid, pid, 'no restart');
    assert.equal((await client.getServer(s.id)).spec.plan, 'life-big');

    await done(client.resizeServer(s.id, 'life-tiny'));
    limits = await readCgroupLimits(pid);
    assert.equal(limits.cpuQuotaUs, limits.cpuPeriodUs, 'down to one CPU');
    assert.equal(limits.memoryBytes, 128 * 1024 * 1024);
    inside = await guestLimits(s.id);
    assert.deepEqual([inside.memoryBytes, inside.cpuQuotaUs], [128 * 1024 * 1024, 100_000], 'the guest sees the lower limits');

    // Billing's meter prices by plan: the phase log names each plan from when it took effect.
    const log = await running.store.db.selectFrom('server_phase_log').select(['plan', 'phase']).where('server_id', '=', s.id).orderBy('seq').execute();
    assert.deepEqual(log.map((l) => `${l.phase}:${l.plan}`).slice(-3), ['Running:nano', 'Running:life-big', 'Running:life-tiny']);
    await assert.rejects(client.resizeServer(s.id, 'nano'), (e: ApiError) => e.status === 422 && e.code === 'SERVER_DISK_SHRINK' && /3 GB/.test(e.message));
    assert.equal((await lxcInfo(join(dataDir, 'lxc'), s.id))?.pid, pid, 'still the same guest');
    // The limits hold on the next start too: they are in the config, not only in the cgroup. The
    // disk has grown by now: online where the kernel allows it (CAP_SYS_RESOURCE), else at this start.
    await done(client.serverAction(s.id, 'stop'));
    await done(client.serverAction(s.id, 'start'));
    const pid2 = (await lxcInfo(join(dataDir, 'lxc'), s.id))!.pid!;
    assert.equal((await readCgroupLimits(pid2)).memoryBytes, 128 * 1024 * 1024);
    const grown = await rootKb();
    assert.ok(grown > 2.5 * 1024 * 1024 && grown <= 3 * 1024 * 1024, `df inside sees the grown disk: ${grown} KiB (was ${before})`);
    await done(client.deleteServer(s.id));
  });

  test('rebuild keeps id, name and address but replaces the files; reset-password sets a new one', async () => {
    const { client, dataDir } = get();
    const s = await made(client, 'rebuilt', 'nano', { password: 'Correct-Horse-9!' });
    await sh(s.id, 'echo precious > /root/note');
    await done(client.rebuildServer(s.id, 'tiny'));
    const after = await client.getServer(s.id);
    assert.equal(after.id, s.id);
    assert.equal(after.name, 'rebuilt');
    assert.equal(after.spec.nics[0]!.ipv4, s.spec.nics[0]!.ipv4);
    assert.equal(after.status.phase, 'Running');
    const ls = await lxcAttach(join(dataDir, 'lxc'), s.id, ['sh', '-c', 'cat /root/note']);
    assert.notEqual(ls.code, 0, 'the old files are gone');
    assert.match(await sh(s.id, 'ip addr show eth0'), new RegExp(`inet ${s.spec.nics[0]!.ipv4.replace(/\./g, '\\.')}`));

    const reset = await client.resetServerPassword(s.id);
    assert.match(reset.rootPassword, /^.{20}$/);
    assert.equal((await client.waitOperation(reset.operation.id, 60)).state, 'succeeded');
    const line = (await sh(s.id, 'cat /etc/shadow')).split('\n').find((l) => l.startsWith('root:'))!;
    const hash = line.split(':')[1]!;
    assert.equal(sha512Crypt(reset.rootPassword, hash), hash, 'the guest has the new password');
    assert.ok(!JSON.stringify(await client.getServer(s.id)).includes(reset.rootPassword), 'never shown again');

    // Stopped, the reset is written into the disk and holds at the next start.
    await done(client.serverAction(s.id, 'stop'));
    const second = await client.resetServerPassword(s.id);
    await client.waitOperation(second.operation.id, 60);
    await done(client.serverAction(s.id, 'start'));
    const h2 = (await sh(s.id, 'cat /etc/shadow')).split('\n').find((l) => l.startsWith('root:'))!.split(':')[1]!;
    assert.equal(sha512Crypt(second.rootPassword, h2), h2);
    await done(client.deleteServer(s.id));
  });
});
