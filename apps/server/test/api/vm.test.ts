/**
 * A server of kind `vm` on the local engine, end to end through the API: the project's own
 * Debian VM image boots under QEMU (KVM here), cloud-init gives it the hostname, the SSH key and
 * the address IPAM chose, and we log in over its NIC on the default network. Stop and start go
 * through QMP; delete leaves no QEMU process, tap, disk or socket behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { linkExists, vethName } from '../../src/drivers/local/network.ts';
import { kvmUsable, qemuPid, vmPaths } from '../../src/drivers/local/vm/qemu.ts';
import { startTestServer, type TestServer } from '../harness.ts';

// Under software emulation (no vmx/svm: this CI machine's /dev/kvm is kvm_pvm) a first boot took
// over 15 minutes on two shared cores; there it runs only when asked for.
const slow = !(await kvmUsable()) && process.env.KUMULUS_TEST_VM_TCG !== '1';

describe('virtual machines', { skip: slow ? 'no hardware virtualization here: set KUMULUS_TEST_VM_TCG=1 to run it in software emulation (slow)' : false }, () => {
  let s: TestServer;
  const keyDir = mkdtempSync(join(tmpdir(), 'kumulus-vm-key-'));
  const key = join(keyDir, 'id_ed25519');
  before(async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vm-test', '-f', key]);
    // The VM image is built once per machine (debootstrap, minutes) and cached like container images.
    // No dunning pass during the test: a tenant without credit is suspended (its servers stopped) after 10 minutes.
    s = await startTestServer({ prepareImages: ['debian-12-vm'], dunning: { everyMs: 86_400_000 } });
  });
  after(async () => {
    await s?.stop(); // destroys every instance the engine holds: a failed test leaves no VM running
    rmSync(keyDir, { recursive: true, force: true });
  });

  /** Runs a command in the VM over SSH, trying again while sshd is not up yet (bounded). */
  async function ssh(ip: string, command: string, tries = 600): Promise<string> {
    let last = '';
    for (let i = 0; i < tries; i++) {
      const r = spawnSync('ssh', ['-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=30', '-o', 'LogLevel=ERROR', `root@${ip}`, command], { encoding: 'utf8', timeout: 120_000 });
      if (r.status === 0) return r.stdout;
      last = `${r.status} ${r.stderr}`;
      await sleep(1000);
    }
    throw new Error(`ssh root@${ip} ${command}: ${last}`);
  }

  /** The operation's end state, waiting as long as a slow (software-emulated) VM needs, bounded. */
  async function finished(id: string): Promise<string> {
    for (let i = 0; i < 15; i++) {
      const op = await s.client.waitOperation(id, 120);
      if (op.state !== 'pending' && op.state !== 'running') return op.state;
    }
    throw new Error(`operation ${id} did not end in 30 minutes`);
  }

  test('boots the project image with its cloud-init data, stops, starts and leaves nothing behind', async () => {
    const c = s.client;
    const created = await c.createServer({ name: 'vm1', plan: 'small', image: 'debian-12-vm', kind: 'vm', sshKeys: [readFileSync(`${key}.pub`, 'utf8').trim()] });
    assert.equal(created.server.spec.kind, 'vm');
    assert.equal(await finished(created.operation.id), 'succeeded');
    const server = await c.getServer(created.server.id);
    assert.equal(server.status.phase, 'Running');
    const ip = server.spec.nics[0]!.ipv4.split('/')[0]!;
    const dir = join(s.dataDir, 'vm', server.id);
    const tap = vethName(server.spec.nics[0]!.id);
    assert.ok(await qemuPid(server.id, dir), 'a QEMU process runs for the server');
    const accel = (await kvmUsable()) ? 'accel=kvm' : 'accel=tcg';
    assert.ok(readFileSync(`/proc/${await qemuPid(server.id, dir)}/cmdline`, 'utf8').includes(accel), `QEMU runs with ${accel}`);

    assert.equal((await ssh(ip, 'hostname')).trim(), 'vm1', 'cloud-init set the hostname');
    assert.match(await ssh(ip, 'cat /root/.ssh/authorized_keys'), /vm-test/, "cloud-init put the tenant's key in");
    assert.match(await ssh(ip, 'ip -4 -o addr show dev eth0'), new RegExp(`inet ${ip.replaceAll('.', '\\.')}/`), "the guest holds IPAM's address");
    assert.match(await ssh(ip, 'systemd-detect-virt'), /kvm|qemu/, 'a real virtual machine, not a container');

    assert.equal(await finished((await c.serverAction(server.id, 'stop')).id), 'succeeded');
    assert.equal(await qemuPid(server.id, dir), null, 'stopped: no QEMU process');
    assert.equal(await linkExists(tap), false, 'stopped: the tap went with QEMU');
    assert.equal(existsSync(vmPaths(dir).qmp), false, 'stopped: no monitor socket');
    assert.ok(existsSync(vmPaths(dir).disk), 'stopped: the disk stays');

    assert.equal(await finished((await c.serverAction(server.id, 'start')).id), 'succeeded');
    assert.equal((await ssh(ip, 'hostname')).trim(), 'vm1', 'up again after start, same disk');

    assert.equal(await finished((await c.deleteServer(server.id)).id), 'succeeded');
    assert.equal(existsSync(dir), false, 'deleted: no disk, seed or socket');
    assert.equal(await linkExists(tap), false, 'deleted: no tap');
    const left = spawnSync('pgrep', ['-f', `kumulus-vm-${server.id}`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'deleted: no QEMU process');
  });
});
