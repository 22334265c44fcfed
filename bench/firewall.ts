/**
 * Benchmark of the firewall compiler and its nftables transaction: 1,000 rules in 50 firewalls
 * over 200 NICs (with server and label references, so named sets are filled) compiled and
 * applied; the same spec again (compile, compare the kernel's hash, no kernel change); then
 * one rule changed. Then the throughput between two NICs (network namespaces wired into a bridge
 * as a server's NIC is, iperf3 over TCP) with that ruleset applied and a firewall on the receiver,
 * as a ratio of the same transfer with no firewall tables at all. Works on a table, bridge and
 * namespaces of its own, removed at the end (also on Ctrl-C). Needs iperf3 (scripts/bench.sh firewall).
 * Usage: node bench/firewall.ts [--nics 200] [--rules 1000] [--seconds 4]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FirewallRule } from '@kumulus/api';
import { run } from '../apps/server/src/drivers/local/exec.ts';
import { createLocalFirewall } from '../apps/server/src/drivers/local/firewall.ts';
import { compileRuleset, deltaText, type HostModel, type Ruleset } from '../apps/server/src/modules/firewall/compile.ts';

const { values } = parseArgs({ options: { nics: { type: 'string', default: '200' }, rules: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '4' } } });
const nicCount = Number(values.nics);
const ruleCount = Number(values.rules);
const fw = createLocalFirewall(`kmb_${randomBytes(3).toString('hex')}_fw`);
const FIREWALLS = 50;

function model(): HostModel {
  const nics = Array.from({ length: nicCount }, (_, i) => ({
    nicId: `nic_bench${String(i).padStart(20, '0')}`,
    serverId: `srv_bench${String(i).padStart(20, '0')}`,
    tenantId: 'ten_bench',
    bridge: `kmbf${i % 10}`,
    port: fw.portOf(`nic_bench${i}`),
    mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    ipv4: [`10.${200 + (i % 10)}.${Math.floor(i / 250)}.${(i % 250) + 2}`],
    ipv6: [],
    labels: { role: `r${i % 5}` },
    network: `net_bench${i % 10}`,
  }));
  const perFw = Math.ceil(ruleCount / FIREWALLS);
  const firewalls = Array.from({ length: FIREWALLS }, (_, f) => ({
    id: `fw_bench${String(f).padStart(20, '0')}`,
    tenantId: 'ten_bench',
    inbound: Array.from({ length: perFw }, (_, r): FirewallRule => {
      const n = f * perFw + r;
      const peers = n % 3 === 0 ? [{ server: nics[n % nicCount]!.serverId }] : n % 3 === 1 ? [{ labelSelector: `role=r${n % 5}` }] : [{ cidr: `192.168.${n % 256}.0/24` }];
      return { action: 'accept', protocol: n % 2 ? 'tcp' : 'udp', ports: [`${1000 + n}`], peers };
    }).slice(0, Math.max(0, ruleCount - f * perFw)),
    outbound: [],
    appliedTo: Array.from({ length: nicCount / FIREWALLS }, (_, k) => ({ type: 'server' as const, server: nics[f + k * FIREWALLS]!.serverId })),
  }));
  return { nics, firewalls, networks: [], zones: [] };
}

const time = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};
/**
 * What the reconciler does on a pass: compile; a change goes as a delta that checks by itself
 * that the kernel holds what it was computed from; an unchanged spec compares the kernel's hash.
 */
let last: Ruleset | null = null;
async function pass(m: HostModel): Promise<boolean> {
  const rs = compileRuleset(fw.table, m, { logGroup: fw.logGroup! });
  const prev = last;
  last = null;
  const delta = prev && prev.hash !== rs.hash ? deltaText(fw.table, prev, rs) : null;
  const applied = delta !== null && (await fw.apply(delta).then(() => true, () => false));
  let changed = applied;
  if (!applied && (!prev || (await fw.appliedHash()) !== rs.hash)) {
    await fw.apply(rs.text);
    changed = true;
  }
  last = rs;
  return changed;
}

// Two NICs as the engine makes them: a veth pair per server, the host end a port of the bridge.
const tag = fw.table.slice(4, 10);
const bridge = `kmbt${tag}`;
const ends = ['a', 'b'].map((x, i) => ({ ns: `kmbt${tag}${x}`, port: `kmbt${tag}${x}p`, ip: `10.251.${Number.parseInt(tag.slice(0, 2), 16)}.${i + 2}`, mac: `02:00:00:fb:00:0${i + 2}` }));
async function wire() {
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await run('ip', ['link', 'set', bridge, 'up']);
  for (const e of ends) {
    await run('ip', ['netns', 'add', e.ns]);
    await run('ip', ['link', 'add', e.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', e.ns]);
    await run('ip', ['link', 'set', e.port, 'master', bridge, 'up']);
    await run('ip', ['-n', e.ns, 'link', 'set', 'eth0', 'address', e.mac]);
    await run('ip', ['-n', e.ns, 'addr', 'add', `${e.ip}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', e.ns, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', e.ns, 'link', 'set', 'lo', 'up']);
  }
}
async function unwire() {
  for (const e of ends) await run('ip', ['netns', 'del', e.ns], { allowFail: true });
  await run('ip', ['link', 'del', bridge], { allowFail: true });
}
/** Gbit/s of one TCP transfer from a to b. */
async function throughput(seconds: number): Promise<number> {
  const server = spawn('ip', ['netns', 'exec', ends[1]!.ns, 'iperf3', '-s', '-1'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      const r = await run('ip', ['netns', 'exec', ends[0]!.ns, 'iperf3', '-c', ends[1]!.ip, '-t', String(seconds), '-J'], { allowFail: true });
      if (r.code === 0) return JSON.parse(r.stdout).end.sum_received.bits_per_second / 1e9;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('iperf3 did not connect');
  } finally {
    server.kill();
  }
}

process.on('SIGINT', () => {
  Promise.all([fw.remove(), unwire()]).finally(() => process.exit(130));
});
try {
  const m = model();
  const rules = m.firewalls.reduce((a, f) => a + f.inbound.length, 0);
  let compileMs = 0;
  const t0 = performance.now();
  compileRuleset(fw.table, m);
  compileMs = performance.now() - t0;
  const first = await time(() => pass(m));
  const before = await fw.ruleset();
  let changed = true;
  const again = await time(async () => {
    changed = await pass(m);
  });
  if (changed || (await fw.ruleset()) !== before) throw new Error('an unchanged spec changed the kernel');
  m.firewalls[7]!.inbound[3] = { action: 'accept', protocol: 'tcp', ports: ['4443'] };
  const one = await time(() => pass(m));
  const afterDelta = await fw.ruleset();
  if (!afterDelta.includes('tcp dport 4443')) throw new Error('the changed rule is not in the kernel');
  await fw.apply(last!.text);
  if ((await fw.ruleset()) !== afterDelta) throw new Error('the delta left the kernel other than a full replacement does');

  // Throughput: no tables, then the whole ruleset with the two NICs in it and a firewall on b
  // that lets a's iperf3 in (anti-spoofing on both, a rule by server reference, conntrack).
  await fw.remove();
  last = null;
  await wire();
  const seconds = Number(values.seconds);
  const nics = ends.map((e, i) => ({ nicId: `nic_tp${i}`, serverId: `srv_tp${i}`, tenantId: 'ten_bench', bridge, port: e.port, mac: e.mac, ipv4: [e.ip], ipv6: [], labels: {}, network: 'net_tp' }));
  const withNics: HostModel = { ...m, nics: [...m.nics, ...nics], firewalls: [...m.firewalls, { id: 'fw_tp', tenantId: 'ten_bench', inbound: [{ action: 'accept', protocol: 'tcp', ports: ['5201'], peers: [{ server: 'srv_tp0' }] }], outbound: [], appliedTo: [{ type: 'server', server: 'srv_tp1' }] }] };
  // Alternated and the best of two each, so a burst of load on the shared host hits both alike.
  const none: number[] = [];
  const withFw: number[] = [];
  for (let i = 0; i < 2; i++) {
    await fw.remove();
    none.push(await throughput(seconds));
    await fw.apply(compileRuleset(fw.table, withNics, { logGroup: fw.logGroup! }).text);
    withFw.push(await throughput(seconds));
  }
  const [bestNone, bestFw] = [Math.max(...none), Math.max(...withFw)];
  console.log(`firewall: ${rules} rules in ${m.firewalls.length} firewalls over ${m.nics.length} NICs`);
  console.log(`  compile only:                 ${compileMs.toFixed(1)} ms`);
  console.log(`  compile + apply (first):      ${first.toFixed(1)} ms   (target ≤ 1000 ms)`);
  console.log(`  unchanged pass (no apply):    ${again.toFixed(1)} ms   (target ≤ 50 ms; kernel unchanged: yes)`);
  console.log(`  one rule changed (delta):     ${one.toFixed(1)} ms   (target ≤ 100 ms; same listing as a full replacement: yes)`);
  console.log(`  throughput, no firewall:      ${none.map((x) => x.toFixed(2)).join(' / ')} Gbit/s`);
  console.log(`  throughput, with firewall:    ${withFw.map((x) => x.toFixed(2)).join(' / ')} Gbit/s`);
  console.log(`  ratio (best of each):         ${(bestFw / bestNone).toFixed(2)}   (target ≥ 0.9)`);
} finally {
  await fw.remove();
  await unwire();
}
