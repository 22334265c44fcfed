/**
 * What only the local engine can show: unprivileged id maps, cgroup limits in force, a guest
 * address that works both ways, identity written into the clone, and nothing left after destroy.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../../lib/sha512-crypt.ts';
import type { InstanceSpec } from '../types.ts';
import { readCgroupLimits } from './cgroups.ts';
import { run } from './exec.ts';
import { lxcAttach, lxcInfo } from './lxc.ts';
import { mountsUnder } from './mounts.ts';
import { linkExists, vethName } from './network.ts';
import { type LocalTestEngine, makeLocalTestEngine } from './test-harness.ts';

describe('local engine on real LXC', () => {
  let t: LocalTestEngine;
  let link = '';
  let n = 20;
  before(async () => {
    t = await makeLocalTestEngine();
    link = await t.engine.network.ensureDefault(t.net);
  });
  after(async () => {
    await t?.cleanup();
  });

  const spec = async (over: Partial<InstanceSpec> = {}): Promise<InstanceSpec> => {
    const host = n++;
    const id = `srv_l${process.pid.toString(36)}${host}${Date.now().toString(36)}`;
    const image = await t.engine.images.prepare(over.image ?? 'tiny');
    return {
      id,
      kind: 'container',
      hostname: `local-${host}`,
      vcpus: 1,
      memoryMb: 128,
      diskGb: 1,
      sshKeys: [],
      nics: [{ id: `nic_${id}`, link, mac: `02:00:0a:f1:00:${host.toString(16)}`, ipv4: `${t.net.prefix}.${host}/24`, gateway: t.net.gateway }],
      ...over,
      image,
    };
  };
  const sh = async (id: string, script: string) => (await lxcAttach(t.lxcPath, id, ['/bin/sh', '-c', script])).stdout;
  const up = async (sp: InstanceSpec) => {
    await t.engine.compute.create(sp);
    await t.engine.compute.start(sp.id);
    const info = await lxcInfo(t.lxcPath, sp.id);
    assert.ok(info?.pid, 'running with an init pid');
    return info.pid;
  };

  test('containers are unprivileged: guest root is host uid 100000', async () => {
    const sp = await spec();
    const pid = await up(sp);
    const uidMap = (await readFile(`/proc/${pid}/uid_map`, 'utf8')).trim().split(/\s+/);
    assert.deepEqual(uidMap, ['0', '100000', '65536']);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    assert.match(status, /^Uid:\s+100000\s/m);
    assert.equal((await sh(sp.id, 'id -u')).trim(), '0', 'still root inside');
    await t.engine.compute.destroy(sp.id);
  });

  test('vCPU quota and memory limit are in force in the cgroup', async () => {
    const sp = await spec({ vcpus: 2, memoryMb: 192 });
    const limits = await readCgroupLimits(await up(sp));
    assert.equal(limits.memoryBytes, 192 * 1024 * 1024);
    assert.equal(limits.cpuQuotaUs, 2 * limits.cpuPeriodUs);
    await t.engine.compute.destroy(sp.id);
  });

  test('the static address works: guest reaches the gateway, host reaches the guest', async () => {
    const sp = await spec();
    await up(sp);
    const nic = sp.nics[0]!;
    const addr = await sh(sp.id, 'ip addr show eth0');
    assert.ok(addr.includes(`inet ${nic.ipv4}`), addr);
    assert.ok(addr.includes(nic.mac), addr);
    assert.ok(await linkExists(vethName(nic.id)), 'host side named after the NIC id');
    assert.match(await sh(sp.id, `ping -c 1 -W 2 ${t.net.gateway}`), /1 packets received/);
    await sh(sp.id, 'nc -l -p 7777 -e /bin/echo hello-from-guest </dev/null >/dev/null 2>&1 &');
    const ip = nic.ipv4.split('/')[0]!;
    assert.equal((await tcpRead(ip, 7777)).trim(), 'hello-from-guest');
    await t.engine.compute.destroy(sp.id);
  });

  test('hostname, root password hash and SSH keys are written into the clone', async () => {
    const hash = hashPassword('s3cret');
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKumulusTestKey test@kumulus';
    const sp = await spec({ rootPasswordHash: hash, sshKeys: [key] });
    await up(sp);
    assert.equal((await sh(sp.id, 'hostname')).trim(), sp.hostname);
    // The host's own name servers, skipping loopback ones a guest cannot reach.
    const hostServers = (await readFile('/etc/resolv.conf', 'utf8')).split('\n').filter((l) => /^nameserver\s+(?!127\.|::1)/.test(l)).map((l) => l.split(/\s+/)[1]);
    const guestServers = (await sh(sp.id, 'cat /etc/resolv.conf')).split('\n').filter((l) => l.startsWith('nameserver')).map((l) => l.split(/\s+/)[1]);
    if (hostServers.length > 0) assert.deepEqual(guestServers, hostServers.slice(0, 3));
    else assert.ok(!guestServers.some((n) => n?.startsWith('127.')), 'a loopback name server is useless in a guest');
    assert.ok((await sh(sp.id, 'cat /etc/shadow')).split('\n').includes(`root:${hash}:${Math.floor(Date.now() / 864e5)}:0:99999:7:::`));
    assert.equal(await sh(sp.id, 'cat /root/.ssh/authorized_keys'), `${key}\n`);
    assert.equal((await sh(sp.id, 'stat -c "%u %g %a" /root/.ssh /root/.ssh/authorized_keys')).trim(), '0 0 700\n0 0 600');
    await t.engine.compute.destroy(sp.id);
  });

  test('the root disk is limited to diskGb', async () => {
    const sp = await spec({ diskGb: 1 });
    await up(sp);
    const kb = Number((await sh(sp.id, 'df -kP / | tail -1')).trim().split(/\s+/)[1]);
    assert.ok(kb > 0.9 * 1024 * 1024 && kb <= 1024 * 1024, `root fs is ${kb} KiB`);
    const fill = await sh(sp.id, 'dd if=/dev/zero of=/big bs=1M count=1500 2>&1; echo rc=$?');
    assert.match(fill, /No space left on device/);
    await t.engine.compute.destroy(sp.id);
  });

  test('destroy leaves no directory, veth, mount or loop device', async () => {
    const sp = await spec();
    await up(sp);
    await t.engine.compute.destroy(sp.id);
    assert.equal(await linkExists(vethName(sp.nics[0]!.id)), false);
    const dir = join(t.lxcPath, sp.id);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(await mountsUnder(dir), []);
    const loops = (await run('losetup', ['-a'])).stdout;
    assert.ok(!loops.includes(dir), loops);
    assert.ok(!(await t.engine.compute.list()).includes(sp.id));
  });

  test('a guest that powers itself off reads as stopped and starts again', async () => {
    const sp = await spec();
    await up(sp);
    await sh(sp.id, 'poweroff');
    for (let i = 0; i < 100 && (await t.engine.compute.inspect(sp.id))?.state === 'running'; i++) await sleep(100);
    assert.equal((await t.engine.compute.inspect(sp.id))?.state, 'stopped');
    await t.engine.compute.start(sp.id);
    assert.equal((await t.engine.compute.inspect(sp.id))?.state, 'running');
    await t.engine.compute.destroy(sp.id);
  });
});

/**
 * Connects to host:port and returns what the peer sends before closing. The listener was started
 * in the background inside the guest, so a refused connection is tried again for a few seconds.
 */
async function tcpRead(host: string, port: number): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await tcpReadOnce(host, port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function tcpReadOnce(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = connect({ host, port, timeout: 5000 });
    s.setEncoding('utf8').on('data', (d: string) => {
      data += d;
    });
    s.on('end', () => resolve(data)).on('timeout', () => s.destroy(new Error('timeout'))).on('error', reject);
  });
}
