import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, test } from 'node:test';
import { checkTraversable, preflight } from './preflight.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake root with what a good host has; `omit` leaves files out. */
function fakeRoot(omit: string[] = [], extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kumulus-preflight-'));
  dirs.push(root);
  const files: Record<string, string> = {
    '/etc/subuid': 'root:100000:1000000000\n',
    '/etc/subgid': 'root:100000:1000000000\n',
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
    '/proc/filesystems': 'nodev\tsysfs\nnodev\toverlay\n',
    '/proc/sys/user/max_user_namespaces': '63000\n',
    '/proc/sys/kernel/osrelease': '6.1.0\n',
    '/dev/loop-control': '',
    '/lib/modules/6.1.0/kernel/net/bridge/br_netfilter.ko': '',
    '/sys/class/net/kmbr9/flags': '0x1003\n',
    '/usr/share/lxc/config/common.conf': '',
    '/usr/share/lxc/config/debian.common.conf': '',
    ...extra,
  };
  for (const [f, text] of Object.entries(files)) {
    if (omit.includes(f)) continue;
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

const input = (root: string) => ({
  root,
  dirs: [],
  idmap: { base: 100_000, size: 65_536 },
  bridge: 'kmbr9',
  imageIncludes: [
    { image: 'tiny', files: ['/usr/share/lxc/config/common.conf'] },
    { image: 'debian-12', files: ['/usr/share/lxc/config/debian.common.conf'] },
  ],
});

test('a good host has no problems', () => {
  assert.deepEqual(preflight(input(fakeRoot())), []);
});

test('a missing LXC include blocks only the images that include it, and names its package', () => {
  const problems = preflight(input(fakeRoot(['/usr/share/lxc/config/debian.common.conf'])));
  assert.equal(problems.length, 1);
  assert.deepEqual(problems[0], {
    check: 'lxc-include',
    subject: '/usr/share/lxc/config/debian.common.conf',
    message: 'the LXC config file /usr/share/lxc/config/debian.common.conf is missing, so servers from debian-12 cannot start',
    fix: 'apt-get install lxc-templates',
    images: ['debian-12'],
  });
});

test('id ranges, cgroup controllers, kernel features and the bridge are each reported with a fix', () => {
  const root = fakeRoot(['/dev/loop-control', '/sys/class/net/kmbr9/flags', '/lib/modules/6.1.0/kernel/net/bridge/br_netfilter.ko'], {
    '/etc/subuid': 'root:200000:65536\n',
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
    '/proc/sys/user/max_user_namespaces': '0\n',
    '/proc/filesystems': 'nodev\tsysfs\n',
  });
  const problems = preflight(input(root));
  assert.deepEqual(
    problems.map((p) => `${p.check}:${p.subject}`),
    ['subid:/etc/subuid', 'cgroup:memory', 'kernel:overlay', 'kernel:user namespaces', 'kernel:br_netfilter', 'kernel:loop devices', 'bridge:kmbr9'],
  );
  const firewalls = problems.find((p) => p.subject === 'br_netfilter');
  assert.deepEqual(firewalls?.images, [], 'no bridge netfilter weakens firewalls but blocks no image');
  assert.ok(problems.filter((p) => p !== firewalls).every((p) => p.fix && !p.images), 'each says how to fix it and blocks every image');
  assert.match(problems[0]!.fix, /root:100000:65536/);
});

test('on a cgroup v1 host the controllers are their own mounts', () => {
  const root = fakeRoot(['/sys/fs/cgroup/cgroup.controllers']);
  mkdirSync(join(root, 'sys/fs/cgroup/memory'), { recursive: true });
  assert.deepEqual(preflight(input(root)).map((p) => `${p.check}:${p.subject}`), ['cgroup:cpu']);
});

test('a data dir below a folder others may not enter is found, with the folder named', () => {
  const parent = mkdtempSync(join(tmpdir(), 'kumulus-private-')); // mkdtemp makes it 0700
  dirs.push(parent);
  const data = join(parent, 'data');
  mkdirSync(data, { mode: 0o711 });
  const problems = checkTraversable(join(data, 'lxc'), 100_000);
  assert.deepEqual(problems.map((p) => p.subject), [parent]);
  assert.match(problems[0]!.fix, /chmod o\+x/);
  chmodSync(parent, 0o711);
  assert.deepEqual(checkTraversable(join(data, 'lxc'), 100_000), []);
});
