import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { networkConfig, userData, writeSeed } from './cidata.ts';

const dir = mkdtempSync(join(tmpdir(), 'kumulus-cidata-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const nics = [
  { id: 'nic_a', link: 'br0', mac: '52:54:00:AA:00:01', ipv4: '10.0.0.5/24', gateway: '10.0.0.1' },
  { id: 'nic_b', link: 'br1', mac: '52:54:00:aa:00:02', ipv4: '10.9.0.7/24', gateway: '10.9.0.1' },
];

test('every NIC is matched by its MAC, named eth<i>, holds its address; only the first gateway routes', () => {
  assert.deepEqual(networkConfig(nics), {
    version: 2,
    ethernets: {
      eth0: { match: { macaddress: '52:54:00:aa:00:01' }, 'set-name': 'eth0', addresses: ['10.0.0.5/24'], routes: [{ to: '0.0.0.0/0', via: '10.0.0.1' }] },
      eth1: { match: { macaddress: '52:54:00:aa:00:02' }, 'set-name': 'eth1', addresses: ['10.9.0.7/24'] },
    },
  });
});

test('user-data is cloud-config for root: keys, the hash only when given, resolv.conf', () => {
  const withHash = userData({ instanceId: 'i-1', hostname: 'web', sshKeys: ['ssh-ed25519 AAAA a@b'], rootPasswordHash: '$6$salt$hash', nics, resolvConf: 'nameserver 10.0.0.1\n' });
  assert.match(withHash, /^#cloud-config\n/);
  const cfg = JSON.parse(withHash.slice('#cloud-config\n'.length));
  assert.equal(cfg.hostname, 'web');
  assert.equal(cfg.disable_root, false);
  assert.deepEqual(cfg.users, [], 'no default user: root gets the keys');
  assert.deepEqual(cfg.ssh_authorized_keys, ['ssh-ed25519 AAAA a@b']);
  assert.deepEqual(cfg.chpasswd.users, [{ name: 'root', password: '$6$salt$hash', type: 'hash' }]);
  assert.equal(cfg.write_files[0].content, 'nameserver 10.0.0.1\n');
  const without = JSON.parse(userData({ instanceId: 'i-1', hostname: 'web', sshKeys: [], nics, resolvConf: '' }).slice(14));
  assert.equal(without.chpasswd, undefined);
  assert.equal(without.ssh_pwauth, false);
});

test('the seed is an ISO labelled cidata holding the three files', async () => {
  const iso = join(dir, 'seed.iso');
  await writeSeed(iso, { instanceId: 'srv_x-1', hostname: 'web', sshKeys: ['ssh-ed25519 AAAA a@b'], nics, resolvConf: '' });
  const info = execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' });
  assert.match(info, /Volume id: cidata/);
  const meta = JSON.parse(execFileSync('isoinfo', ['-J', '-x', '/meta-data', '-i', iso], { encoding: 'utf8' }));
  assert.deepEqual(meta, { 'instance-id': 'srv_x-1', 'local-hostname': 'web' });
  assert.match(execFileSync('isoinfo', ['-J', '-x', '/network-config', '-i', iso], { encoding: 'utf8' }), /52:54:00:aa:00:02/);
  assert.match(execFileSync('isoinfo', ['-J', '-x', '/user-data', '-i', iso], { encoding: 'utf8' }), /^#cloud-config/);
});
