/**
 * Benchmark of NICs on a running control plane with real LXC: (1) attaching a NIC to a running
 * server, from the API call until the new address answers a ping from another server on the
 * vSwitch (the operation waited on through /wait, then one ping via lxc-attach, whose own spawn
 * is in the figure); (2) TCP throughput between two servers on a vSwitch as a ratio of the same
 * transfer (busybox dd | nc) between two network namespaces joined by a plain veth pair.
 * Usage: node bench/network-nic.ts [--attaches 10]
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { lxcAttach } from '../apps/server/src/drivers/local/lxc.ts';
import { vethName } from '../apps/server/src/drivers/local/network.ts';
import { startTestServer } from '../apps/server/test/harness.ts';

const { values } = parseArgs({ options: { attaches: { type: 'string', default: '10' } } });
const attaches = Number(values.attaches);
const s = await startTestServer();
const sh = async (id: string, script: string) => {
  const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
  return `${r.stdout}${r.stderr}`;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const SINK = "printf '#!/bin/sh\\ncat >/dev/null\\n' >/sink && chmod +x /sink && (nc -ll -p 7100 -e /sink </dev/null >/dev/null 2>&1 &)";

try {
  const c = s.client;
  const net = await c.createNetwork({ name: 'bench', ipv4Cidr: '10.86.0.0/24' });
  await c.waitOperation(net.operation.id, 60);
  const made = await Promise.all([
    c.createServer({ name: 'ba', plan: 'nano', image: 'tiny', nics: [{ network: 'bench' }] }),
    c.createServer({ name: 'bb', plan: 'nano', image: 'tiny', nics: [{ network: 'bench' }] }),
    c.createServer({ name: 'bc', plan: 'nano', image: 'tiny' }),
  ]);
  for (const m of made) await c.waitOperation(m.operation.id, 90);
  const [a, b, target] = made.map((m) => m.server);

  // (1) attach → ping
  const times: number[] = [];
  const opTimes: number[] = [];
  const pingTries: number[] = [];
  for (let i = 0; i < attaches; i++) {
    const t0 = performance.now();
    const r = await c.attachNic(target!.id, { network: 'bench' });
    const op = await c.waitOperation(r.operation.id, 60);
    if (op.state !== 'succeeded') throw new Error(`attach failed: ${JSON.stringify(op.error)}`);
    const ip = r.nic.ipv4.split('/')[0]!;
    const t1 = performance.now();
    let tries = 0;
    let answered = false;
    while (!answered && tries < 20) {
      tries++;
      answered = /1 packets received/.test(await sh(a!.id, `ping -c 1 -W 1 ${ip}`));
    }
    if (!answered) throw new Error(`${ip} never answered`);
    times.push(performance.now() - t0);
    opTimes.push(t1 - t0);
    pingTries.push(tries);
    await c.waitOperation((await c.detachNic(target!.id, r.nic.id)).id, 60);
  }

  // (2) throughput: vSwitch between two servers, then a plain veth pair between two namespaces.
  await sh(a!.id, SINK);
  const ipA = a!.spec.nics[0]!.ipv4.split('/')[0]!;
  const aVeth = vethName(a!.spec.nics[0]!.id);
  const rate = async (read: () => number) => {
    await sleep(1000);
    const [t0, b0] = [performance.now(), read()];
    await sleep(3000);
    return ((read() - b0) * 8) / ((performance.now() - t0) / 1000) / 1e6;
  };
  await sh(b!.id, `dd if=/dev/zero bs=64k count=200000 2>/dev/null | nc ${ipA} 7100 >/dev/null 2>&1 &`);
  const vswitch = await rate(() => Number(readFileSync(`/sys/class/net/${aVeth}/statistics/tx_bytes`, 'utf8')));
  await sh(b!.id, 'killall nc 2>/dev/null; true');

  const [na, nb] = ['kbench-a', 'kbench-b'];
  const sink = '/tmp/kumulus-bench-sink';
  writeFileSync(sink, '#!/bin/sh\ncat >/dev/null\n', { mode: 0o755 });
  let sender: ReturnType<typeof spawn> | undefined;
  let listener: ReturnType<typeof spawn> | undefined;
  try {
    for (const n of [na, nb]) execFileSync('ip', ['netns', 'add', n]);
    execFileSync('ip', ['link', 'add', 'kbva', 'netns', na, 'type', 'veth', 'peer', 'name', 'kbvb', 'netns', nb]);
    execFileSync('ip', ['-n', na, 'addr', 'add', '10.250.0.1/24', 'dev', 'kbva']);
    execFileSync('ip', ['-n', nb, 'addr', 'add', '10.250.0.2/24', 'dev', 'kbvb']);
    for (const [n, dev] of [[na, 'kbva'], [nb, 'kbvb']] as const) execFileSync('ip', ['-n', n, 'link', 'set', dev, 'up']);
    listener = spawn('ip', ['netns', 'exec', nb, 'busybox', 'nc', '-ll', '-p', '7200', '-e', sink], { stdio: 'ignore' });
    await sleep(300);
    sender = spawn('ip', ['netns', 'exec', na, 'sh', '-c', 'dd if=/dev/zero bs=64k count=200000 2>/dev/null | busybox nc 10.250.0.2 7200'], { stdio: 'ignore' });
    const plain = await rate(() => Number(execFileSync('ip', ['netns', 'exec', nb, 'cat', '/sys/class/net/kbvb/statistics/rx_bytes'], { encoding: 'utf8' })));
    console.log(`attach NIC to a running server → new address answers ping (n=${times.length}): p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms (target ≤ 300 ms); of it the operation: p50 ${pct(opTimes, 50).toFixed(0)} ms; pings until the first answer: ${pingTries.join(' ')}`);
    console.log(`throughput: vSwitch between two servers ${vswitch.toFixed(0)} Mbit/s, plain veth pair ${plain.toFixed(0)} Mbit/s, ratio ${(vswitch / plain).toFixed(2)} (target ≥ 0.9)`);
  } finally {
    sender?.kill('SIGKILL');
    listener?.kill('SIGKILL');
    for (const n of [na, nb]) execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' }) && undefined;
    rmSync(sink, { force: true });
  }
  for (const m of made) await c.waitOperation((await c.deleteServer(m.server.id)).id, 60);
  await c.waitOperation((await c.deleteNetwork('bench')).id, 60);
} finally {
  await s.stop();
}
