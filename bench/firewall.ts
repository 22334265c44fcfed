/**
 * Benchmark of the firewall compiler and its nftables transaction: 1,000 rules in 50 firewalls
 * over 200 NICs (with server and label references, so named sets are filled) compiled and
 * applied; the same spec again (compile, compare the kernel's hash, no kernel change); then
 * one rule changed. Works on a table of its own, removed at the end (also on Ctrl-C).
 * Usage: node bench/firewall.ts [--nics 200] [--rules 1000]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FirewallRule } from '@kumulus/api';
import { createLocalFirewall } from '../apps/server/src/drivers/local/firewall.ts';
import { compileRuleset, deltaText, type HostModel, type Ruleset } from '../apps/server/src/modules/firewall/compile.ts';

const { values } = parseArgs({ options: { nics: { type: 'string', default: '200' }, rules: { type: 'string', default: '1000' } } });
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
/** What the reconciler does on a pass: compile, compare with the kernel's hash, apply only when they differ. */
let last: Ruleset | null = null;
async function pass(m: HostModel): Promise<boolean> {
  const rs = compileRuleset(fw.table, m);
  const held = await fw.appliedHash();
  if (held === rs.hash) return false;
  await fw.apply((last && held === last.hash ? deltaText(fw.table, last, rs) : null) ?? rs.text);
  last = rs;
  return true;
}

process.on('SIGINT', () => {
  fw.remove().finally(() => process.exit(130));
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
  console.log(`firewall: ${rules} rules in ${m.firewalls.length} firewalls over ${m.nics.length} NICs`);
  console.log(`  compile only:                 ${compileMs.toFixed(1)} ms`);
  console.log(`  compile + apply (first):      ${first.toFixed(1)} ms   (target ≤ 1000 ms)`);
  console.log(`  unchanged pass (no apply):    ${again.toFixed(1)} ms   (target ≤ 50 ms; kernel unchanged: yes)`);
  console.log(`  one rule changed (delta):     ${one.toFixed(1)} ms   (target ≤ 100 ms; same listing as a full replacement: yes)`);
} finally {
  await fw.remove();
}
