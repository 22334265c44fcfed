/**
 * Benchmark of NICs on a running control plane with real LXC: (1) attaching a NIC to a running
 * server, from the API call until the new address answers a ping from another server on the
 * vSwitch (the operation waited on through /wait, then one ping via lxc-attach, whose own spawn
 * is in the figure), with the share of the POST, the operation (server clock) and /wait; (2) TCP
 * throughput (iperf3) between two servers on a vSwitch as a ratio of the same between two
 * network namespaces joined by a plain veth pair, in alternating rounds.
 * Usage: node bench/network-nic.ts [--attaches 10] [--rounds 5] [--seconds 3]   (scripts/bench.sh network-nic installs iperf3)
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { lxcAttach } from '../apps/server/src/drivers/local/lxc.ts';
import { startTestServer } from '../apps/server/test/harness.ts';

const { values } = parseArgs({ options: { attaches: { type: 'string', default: '10' }, rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' } } });
const attaches = Number(values.attaches);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const s = await startTestServer();
const sh = async (id: string, script: string) => {
  const r = await lxcAttach(join(s.dataDir, 'lxc'), id, ['/bin/sh', '-c', script]);
  return `${r.stdout}${r.stderr}`;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

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
  const postTimes: number[] = [];
  const serverTimes: number[] = [];
  for (let i = 0; i < attaches; i++) {
    const t0 = performance.now();
    const r = await c.attachNic(target!.id, { network: 'bench' });
    postTimes.push(performance.now() - t0);
    const op = await c.waitOperation(r.operation.id, 60);
    serverTimes.push(Date.parse(op.finishedAt ?? op.createdAt) - Date.parse(op.createdAt));
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

  // (2) throughput: iperf3 (the host's binary, run inside each side's network namespace, so
  // the tiny image needs none) between two servers on the vSwitch, and between two namespaces
  // joined by a plain veth pair; rounds alternate so load changes on a shared host hit both.
  const pidOf = (id: string) => Number(execFileSync('lxc-info', ['-P', join(s.dataDir, 'lxc'), '-n', id, '-p', '-H'], { encoding: 'utf8' }).trim());
  const [pidA, pidB] = [pidOf(a!.id), pidOf(b!.id)];
  const ipA = a!.spec.nics[0]!.ipv4.split('/')[0]!;
  const [na, nb] = ['kbench-a', 'kbench-b'];
  const servers: ReturnType<typeof spawn>[] = [];
  const iperf = (prefix: string[], host: string) => {
    const out = execFileSync(prefix[0]!, [...prefix.slice(1), 'iperf3', '-c', host, '-p', '7201', '-t', String(seconds), '-O', '1', '-J'], { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
    return (JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second / 1e6;
  };
  const vs: number[] = [];
  const pl: number[] = [];
  try {
    for (const n of [na, nb]) execFileSync('ip', ['netns', 'add', n]);
    execFileSync('ip', ['link', 'add', 'kbva', 'netns', na, 'type', 'veth', 'peer', 'name', 'kbvb', 'netns', nb]);
    execFileSync('ip', ['-n', na, 'addr', 'add', '10.250.0.1/24', 'dev', 'kbva']);
    execFileSync('ip', ['-n', nb, 'addr', 'add', '10.250.0.2/24', 'dev', 'kbvb']);
    for (const [n, dev] of [[na, 'kbva'], [nb, 'kbvb']] as const) execFileSync('ip', ['-n', n, 'link', 'set', dev, 'up']);
    servers.push(spawn('nsenter', ['-t', String(pidA), '-n', 'iperf3', '-s', '-p', '7201'], { stdio: 'ignore' }));
    servers.push(spawn('ip', ['netns', 'exec', nb, 'iperf3', '-s', '-p', '7201'], { stdio: 'ignore' }));
    await sleep(500);
    for (let r = 0; r < rounds; r++) {
      vs.push(iperf(['nsenter', '-t', String(pidB), '-n'], ipA));
      pl.push(iperf(['ip', 'netns', 'exec', na], '10.250.0.2'));
    }
  } finally {
    for (const p of servers) p.kill('SIGKILL');
    for (const n of [na, nb]) execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  }
  const median = (xs: number[]) => (xs.length ? pct(xs, 50) : Number.NaN);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${cpus().length} CPUs`);
  console.log(`attach NIC to a running server → new address answers ping (n=${times.length}): p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms (target ≤ 300 ms)`);
  console.log(`  of it: POST answered p50 ${pct(postTimes, 50).toFixed(0)} ms; operation done by the server's clock p50 ${pct(serverTimes, 50).toFixed(0)} ms; /wait heard p50 ${pct(opTimes, 50).toFixed(0)} ms; pings until the first answer: ${pingTries.join(' ')}`);
  console.log(`throughput (iperf3, ${rounds} alternating rounds of ${seconds} s): vSwitch between two servers ${vs.map((v) => v.toFixed(0)).join(' ')} Mbit/s, plain veth pair ${pl.map((v) => v.toFixed(0)).join(' ')} Mbit/s`);
  console.log(`  medians ${median(vs).toFixed(0)} / ${median(pl).toFixed(0)} Mbit/s, ratio ${(median(vs) / median(pl)).toFixed(2)}; per round ${vs.map((v, i) => (v / pl[i]!).toFixed(2)).join(' ')} (target ≥ 0.9)`);
  for (const m of made) await c.waitOperation((await c.deleteServer(m.server.id)).id, 60);
  await c.waitOperation((await c.deleteNetwork('bench')).id, 60);
} finally {
  await s.stop();
}
