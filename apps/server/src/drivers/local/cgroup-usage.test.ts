/**
 * The cgroup usage reader on both hierarchies: a v1 (per-controller mounts) and a v2 (unified) tree
 * laid out as the kernel does in a temporary dir, plus this host's own hierarchy for a live process.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostCgroupRoot, readCgroupUsage } from './cgroup-usage.ts';

const root = mkdtempSync(join(tmpdir(), 'kumulus-cgroup-'));
after(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string, content: Record<string, string>) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(content)) writeFileSync(join(dir, name), text);
}

test('v2: cpu.stat, memory.current and io.stat of the payload group, a guest sub-group ignored', async () => {
  const at = join(root, 'v2');
  files(join(at, 'lxc.payload.srv_a'), {
    'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n',
    'memory.current': '52428800\n',
    'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=1000 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n',
  });
  files(join(at, 'lxc.payload.srv_a', 'init.scope'), { 'cpu.stat': 'usage_usec 1\n', 'memory.current': '1\n', 'io.stat': '' });
  const u = await readCgroupUsage('0::/lxc.payload.srv_a/init.scope\n', { root: at, version: 2 });
  assert.deepEqual(u, { cpuSeconds: 2.5, memoryBytes: 52428800, diskReadBytes: 5096, diskWriteBytes: 8192, diskReads: 4, diskWrites: 2 });
});

test('v1: cpuacct, memory and blkio each under their own mount, the Total line not counted twice', async () => {
  const at = join(root, 'v1');
  files(join(at, 'cpuacct', 'lxc.payload.srv_b'), { 'cpuacct.usage': '1500000000\n' });
  files(join(at, 'memory', 'x', 'lxc.payload.srv_b'), { 'memory.usage_in_bytes': '1048576\n' });
  files(join(at, 'blkio', 'lxc.payload.srv_b'), {
    'blkio.throttle.io_service_bytes': '8:0 Read 4096\n8:0 Write 12288\n8:0 Sync 0\n8:0 Async 16384\n8:0 Total 16384\nTotal 16384\n',
    'blkio.throttle.io_serviced': '8:0 Read 1\n8:0 Write 3\n8:0 Total 4\nTotal 4\n',
  });
  const proc = ['12:blkio:/lxc.payload.srv_b', '4:memory:/x/lxc.payload.srv_b', '2:cpu,cpuacct:/lxc.payload.srv_b', '0::/'].join('\n');
  const u = await readCgroupUsage(proc, { root: at, version: 1 });
  assert.deepEqual(u, { cpuSeconds: 1.5, memoryBytes: 1048576, diskReadBytes: 4096, diskWriteBytes: 12288, diskReads: 1, diskWrites: 3 });
});

test("this host's hierarchy: the test process's own cgroup reads as used CPU and memory", async () => {
  const u = await readCgroupUsage(readFileSync('/proc/self/cgroup', 'utf8'), hostCgroupRoot());
  assert.ok(u.cpuSeconds > 0, `cpu ${u.cpuSeconds}`);
  assert.ok(u.memoryBytes > 0, `memory ${u.memoryBytes}`);
});
