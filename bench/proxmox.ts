/**
 * Benchmark of the Proxmox engine against the emulator with zero task duration (control-plane overhead alone):
 * create→Running through the Kumulus API, Proxmox API calls per provisioned server, and calls per engine sweep
 * at steady state; `--kind vm` provisions VMs (a full clone of the node's cloud-init template) instead of containers.
 * Usage: node bench/proxmox.ts [--count N] [--nodes N] [--steady-seconds S] [--kind container|vm]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KumulusClient } from '@kumulus/api';
import { DEFAULT_TOKEN, PveEmulator } from '@kumulus/pve-emulator';
import { serve } from '../apps/server/src/serve.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20' }, nodes: { type: 'string', default: '3' }, 'steady-seconds': { type: 'string', default: '10' }, kind: { type: 'string', default: 'container' } } });
const kind = values.kind === 'vm' ? 'vm' : 'container';
const image = kind === 'vm' ? 'debian-12-vm' : 'debian-12';
const plan = kind === 'vm' ? 'small' : 'nano';
const count = Number(values.count);
const sweepMs = 2000;
const token = 'kmt_bench_operator_token_0123456789';
const emu = new PveEmulator({ nodes: Number(values.nodes), taskMs: 0 });
const { url, fingerprint } = await emu.listen();
const dataDir = mkdtempSync(join(tmpdir(), 'kumulus-bench-pve-'));
const running = await serve({
  dataDir,
  listen: '127.0.0.1:0',
  prepareImages: [image],
  sweepMs,
  bootstrapToken: token,
  proxmox: { url, tokenId: DEFAULT_TOKEN.id, tokenSecret: DEFAULT_TOKEN.secret, fingerprint, watchMs: 10_000 },
});
const client = new KumulusClient({ baseUrl: running.url, token });
const total = () => [...emu.calls.values()].reduce((a, b) => a + b, 0);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

try {
  // Warm-up: one server, so start-up calls (images, bridges, permissions) are not counted per server.
  const warm = await client.createServer({ name: 'warm', plan, image, kind });
  await client.waitOperation(warm.operation.id, 60);
  const ms: number[] = [];
  emu.calls.clear();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const c = await client.createServer({ name: `b${i}`, plan, image, kind });
    const op = await client.waitOperation(c.operation.id, 60);
    if (op.state !== 'succeeded') throw new Error(`create ${i} ${op.state}`);
    ms.push(performance.now() - t0);
  }
  const perServer = total() / count;
  const byCall = [...emu.calls.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / count).toFixed(1)}`);
  console.log(`create→Running of a ${kind} (API, ${count} sequential, zero task duration, ${values.nodes} nodes): p50 ${pct(ms, 50).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms`);
  console.log(`Proxmox API calls per provisioned server: ${perServer.toFixed(1)}`);
  for (const line of byCall) console.log(`  ${line}`);
  // Steady state: nothing changes; what the control plane still asks of the cluster.
  await sleep(3000);
  emu.calls.clear();
  const seconds = Number(values['steady-seconds']);
  await sleep(seconds * 1000);
  const sweeps = (seconds * 1000) / sweepMs;
  console.log(`steady state, ${count + 1} servers, ${seconds} s: ${total()} calls (${(total() / sweeps).toFixed(1)} per engine sweep of every ${sweepMs} ms, watch every 10 s included)`);
  for (const [k, v] of emu.calls) console.log(`  ${k} ${v}`);
} finally {
  await running.close();
  await emu.close();
  rmSync(dataDir, { recursive: true, force: true });
}
