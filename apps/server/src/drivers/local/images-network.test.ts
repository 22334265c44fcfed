/**
 * The image and network facets on the real host: debian-12 boots systemd under unprivileged
 * LXC with the instance's identity, and the default network is one bridge plus one nft table.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './exec.ts';
import { createLocalImages } from './images.ts';
import { lxcAttach } from './lxc.ts';
import { linkExists } from './network.ts';
import { type LocalTestEngine, makeLocalTestEngine } from './test-harness.ts';

describe('local images and network', () => {
  let t: LocalTestEngine;
  before(async () => {
    t = await makeLocalTestEngine();
  });
  after(async () => {
    await t?.cleanup();
  });

  test('ensureDefault makes one bridge with the gateway and one masquerading table, idempotently', async () => {
    await t.engine.network.ensureDefault(t.net);
    await t.engine.network.ensureDefault(t.net);
    const addr = (await run('ip', ['-o', '-4', 'addr', 'show', 'dev', t.bridge])).stdout;
    assert.equal(addr.trim().split('\n').length, 1, addr);
    assert.ok(addr.includes(`${t.net.gateway}/24`), addr);
    const table = (await run('nft', ['list', 'table', 'inet', t.nftTable])).stdout;
    assert.match(table, new RegExp(`ip saddr ${t.net.cidr.replace(/\./g, '\\.')} .*masquerade`));
    assert.equal((await run('cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1');
  });

  test('removeDefault deletes the bridge and the table, and is idempotent', async () => {
    await t.engine.network.ensureDefault(t.net);
    await t.engine.network.removeDefault();
    await t.engine.network.removeDefault();
    assert.equal(await linkExists(t.bridge), false);
    assert.notEqual((await run('nft', ['list', 'table', 'inet', t.nftTable], { allowFail: true })).code, 0);
  });

  test('images: the container and VM images are offered, unknown names are refused', async () => {
    assert.deepEqual(t.engine.images.available().map((i) => i.name).sort(), ['debian-12', 'debian-12-vm', 'tiny']);
    await assert.rejects(t.engine.images.prepare('windows-95'), /unknown image/);
  });

  test('a tiny build killed midway leaves no image, and the next prepare builds a whole one', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'kumulus-imgcache-'));
    try {
      const code = `import { createLocalImages } from ${JSON.stringify(new URL('./images.ts', import.meta.url).href)};
        await createLocalImages({ imageCache: process.argv[1], idmap: { base: 100000, size: 65536 } }).prepare('tiny');`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', code, cache], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      // Kill once the staging dir exists, i.e. in the middle of the build.
      for (let i = 0; i < 200 && !(await readdir(cache)).some((e) => e.startsWith('.build-')); i++) await sleep(5);
      child.kill('SIGKILL');
      await exited;
      const images = createLocalImages({ imageCache: cache, idmap: { base: 100_000, size: 65_536 } });
      assert.equal(await images.isReady('tiny'), false, 'no half image is taken for a whole one');
      const name = await images.prepare('tiny'); // takes over the dead builder's lock
      assert.equal(await images.isReady('tiny'), true);
      assert.deepEqual((await readdir(cache)).sort(), [name]);
      assert.equal((await stat(join(cache, name, 'rootfs/bin/busybox'))).uid, 100_000, 'ownership shifted');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  test('debian-12 boots systemd with its address, hostname and SSH key', async () => {
    const link = await t.engine.network.ensureDefault(t.net);
    const image = await t.engine.images.prepare('debian-12'); // built once per machine (~45 s)
    assert.equal(await t.engine.images.isReady('debian-12'), true);
    const id = `srv_deb${process.pid.toString(36)}`;
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDebianTestKey deb@kumulus';
    const ip = `${t.net.prefix}.50`;
    await t.engine.compute.create({
      id, kind: 'container', hostname: 'deb-test', image, vcpus: 1, memoryMb: 256, diskGb: 2, sshKeys: [key],
      nics: [{ id: `nic_${id}`, link, mac: '02:00:0a:f3:00:32', ipv4: `${ip}/24`, gateway: t.net.gateway }],
    });
    await t.engine.compute.start(id);
    const sh = async (cmd: string) => (await lxcAttach(t.lxcPath, id, ['/bin/sh', '-c', cmd])).stdout.trim();
    let state = '';
    for (let i = 0; i < 100 && !['running', 'degraded'].includes(state); i++) {
      state = await sh('systemctl is-system-running');
      await sleep(100);
    }
    assert.equal(state, 'running', await sh('systemctl --failed --no-legend'));
    assert.equal(await sh('hostname'), 'deb-test');
    assert.ok((await sh('ip -o -4 addr show dev eth0')).includes(`${ip}/24`));
    assert.equal(await sh('cat /root/.ssh/authorized_keys'), key);
    assert.match(await sh(`ping -c 1 -W 2 ${t.net.gateway}`), /1 received/);
    assert.match(await sh('ss -ltn'), /:22\b/, 'sshd listens (host keys made on first boot)');
    // No RSA key: making one was most of the time from create to SSH answering.
    assert.equal(await sh('ls /etc/ssh/ssh_host_*_key'), '/etc/ssh/ssh_host_ecdsa_key\n/etc/ssh/ssh_host_ed25519_key');
    await t.engine.compute.reboot(id);
    assert.equal((await t.engine.compute.inspect(id))?.state, 'running');
    await t.engine.compute.stop(id, { force: false });
    assert.equal((await t.engine.compute.inspect(id))?.state, 'stopped');
    await t.engine.compute.destroy(id);
    assert.equal(await t.engine.compute.inspect(id), null);
  });
});
