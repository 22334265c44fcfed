/**
 * Benchmark: create→SSH answering for servers of kind `vm` (the project's `debian-12-vm` image)
 * through the API, against the same VM made by hand with raw qemu-img, genisoimage and
 * qemu-system-x86_64 (same arguments, same bridge), as a ratio; then `--concurrent` VMs at once.
 * Usage: node bench/provision-vm.ts [--count 5] [--concurrent 10] [--plan small]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { run } from '../apps/server/src/drivers/local/exec.ts';
import { vethName } from '../apps/server/src/drivers/local/network.ts';
import { writeSeed } from '../apps/server/src/drivers/local/vm/cidata.ts';
import { launchQemu, qemuPid, type VmConfig, vmPaths } from '../apps/server/src/drivers/local/vm/qemu.ts';
import { engineNames, startTestServer } from '../apps/server/test/harness.ts';
import { createToSsh, makeKey, waitDone } from './provision-ssh.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '5' }, concurrent: { type: 'string', default: '10' }, plan: { type: 'string', default: 'small' } } });
const count = Number(values.count);
const concurrent = Number(values.concurrent);
const plan = values.plan;
const image = 'debian-12-vm';
const names = engineNames(randomBytes(3).toString('hex'));
const server = await startTestServer({ prepareImages: [image], bridge: names.bridge, nftTable: names.nftTable, network: names.network });
const client = server.client;
const key = await makeKey();
const created = new Set<string>();
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
const log = (s: string) => console.error(s);

try {
  const track = (id: string) => created.add(id);
  const remove = async (id: string) => {
    await waitDone(client, await client.deleteServer(id));
    created.delete(id);
  };
  log(`server ${server.url}; warm-up (builds ${image} when it is not cached yet)`);
  await remove((await createToSsh({ client, name: 'warm', plan, image, kind: 'vm', key, track })).id);

  const api: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = await createToSsh({ client, name: `seq-${i}`, plan, image, kind: 'vm', key, track });
    api.push(r.ms);
    log(`api ${i}: ${Math.round(r.ms)} ms`);
    await remove(r.id);
  }

  // The same VM by hand: the same base image, linked clone, seed and QEMU arguments, on the same bridge.
  const planRow = (await client.all((q) => client.listPlans(q))).find((p) => p.name === plan)!;
  const imageDir = join(process.env.KUMULUS_IMAGE_CACHE ?? '/var/cache/kumulus/images', `${image}-v1`);
  const raw: number[] = [];
  const prefix = names.network.gateway.replace(/\.1$/, '');
  for (let i = 0; i < count; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'kumulus-bench-vm-'));
    const id = `srv_benchraw${i}${randomBytes(2).toString('hex')}`;
    const ip = `${prefix}.${240 + i}`;
    const nic = { id: `nic_${id}`, link: names.bridge, mac: `52:54:00:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`, ipv4: `${ip}/24`, gateway: names.network.gateway };
    const c: VmConfig = { id, hostname: `raw-${i}`, image, imageDir, vcpus: planRow.vcpus, memoryMb: planRow.memoryMb, diskGb: planRow.diskGb, nics: [nic], instanceId: id, sshKeys: [key.publicKey] };
    const t0 = performance.now();
    try {
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', join(imageDir, 'disk.qcow2'), vmPaths(dir).disk, String(planRow.diskGb * 1024 ** 3)]);
      await writeSeed(vmPaths(dir).seed, { instanceId: id, hostname: c.hostname, sshKeys: c.sshKeys, nics: c.nics, resolvConf: '' });
      await launchQemu(c, dir, true);
      await run('ip', ['link', 'set', 'dev', vethName(nic.id), 'master', names.bridge, 'up']);
      await waitSsh(ip);
      raw.push(performance.now() - t0);
      log(`raw ${i}: ${Math.round(raw[i]!)} ms`);
    } finally {
      const pid = await qemuPid(id, dir);
      if (pid) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }

  const t0 = performance.now();
  const burst = await Promise.all(Array.from({ length: concurrent }, (_, i) => createToSsh({ client, name: `burst-${i}`, plan, image, kind: 'vm', key, track })));
  const burstMs = performance.now() - t0;
  for (const r of burst) await remove(r.id);

  console.log(`create→SSH, kind vm, image ${image}, plan ${plan}`);
  console.log(`  through the API   p50 ${Math.round(p50(api))} ms  (${api.map(Math.round).join(', ')})`);
  console.log(`  raw qemu          p50 ${Math.round(p50(raw))} ms  (${raw.map(Math.round).join(', ')})`);
  console.log(`  ratio API/raw     ${(p50(api) / p50(raw)).toFixed(2)}`);
  console.log(`  ${concurrent} at once      all answering SSH after ${Math.round(burstMs)} ms; p50 of each ${Math.round(p50(burst.map((b) => b.ms)))} ms`);
} finally {
  for (const id of created) await client.deleteServer(id).catch(() => {});
  await server.stop();
  await key.remove();
}

/** Waits (bounded) until `ssh root@ip true` logs in with the bench key. */
async function waitSsh(ip: string): Promise<void> {
  const deadline = performance.now() + 180_000;
  for (;;) {
    const r = await run('ssh', ['-F', '/dev/null', '-i', key.path, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=1', '-o', 'LogLevel=ERROR', `root@${ip}`, 'true'], { allowFail: true, timeoutMs: 10_000 });
    if (r.code === 0) return;
    if (performance.now() > deadline) throw new Error(`raw VM ${ip}: ssh did not log in within 180 s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
