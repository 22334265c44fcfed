/**
 * Benchmark: one engine sweep (observeAll: every guest of ours in one look) over a large emulated cluster,
 * 10,000 guests on 100 nodes by default. Emulator and driver share this process, so the CPU figure is an upper
 * bound for the driver's part. Usage: node bench/proxmox-scale.ts [--guests N] [--nodes N] [--sweeps N]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { createProxmoxEngine } from '../apps/server/src/drivers/proxmox/index.ts';

const { values } = parseArgs({ options: { guests: { type: 'string', default: '10000' }, nodes: { type: 'string', default: '100' }, sweeps: { type: 'string', default: '5' } } });
const guests = Number(values.guests);
const nodeCount = Number(values.nodes);
const emu = new PveEmulator({ nodes: nodeCount, taskMs: 0 });
const { url, fingerprint } = await emu.listen();
for (let i = 0; i < guests; i++) {
  const vmid = 100 + i;
  emu.state.guests.set(vmid, { vmid, type: 'lxc', node: `pve${1 + (i % nodeCount)}`, status: 'running', config: { hostname: `g${i}`, memory: '512', cores: '1', tags: `kumulus;srv_scale${i.toString(36)}` } });
}
const engine = createProxmoxEngine({ url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint });
try {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < Number(values.sweeps); s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const seen = await engine.compute.observeAll();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (seen.size !== guests) throw new Error(`saw ${seen.size} of ${guests}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`one sweep over ${guests} guests on ${nodeCount} nodes: ${med(times).toFixed(0)} ms wall, ${med(cpu).toFixed(0)} ms CPU (driver and emulator together), 1 API call`);
  console.log(`at the default sweep every 30 s: ${((med(cpu) / 30_000) * 100).toFixed(1)} % of one core; a guest stopped or deleted behind our back is seen within one sweep (≤ 30 s)`);
} finally {
  await engine.client.close();
  await emu.close();
}
