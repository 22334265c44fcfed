/**
 * Benchmark: what the control plane costs while nothing happens. Creates `tiny` servers up to each
 * count, leaves them running with no API calls, and measures the CPU the control plane uses — its
 * own, that of the commands it ran and reaped, and of the lxc-monitor it keeps and that monitor's
 * lxc-monitord — as a share of one core.
 * Usage: node bench/steady-state.ts [--counts 10,100,1000] [--seconds 60] [--batch 25]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KumulusClient } from '@kumulus/api';
import { startTestServer } from '../apps/server/test/harness.ts';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '10,100,1000' },
    seconds: { type: 'string', default: '60' },
    batch: { type: 'string', default: '25' },
  },
});
const counts = values.counts.split(',').map(Number);
const seconds = Number(values.seconds);
const batch = Number(values.batch);
if (counts.some((n) => !(n > 0)) || !(seconds > 0) || !(batch > 0)) throw new Error('--counts, --seconds and --batch take positive numbers');

const TICK = 100; // USER_HZ: /proc stat times are in 1/100 s on Linux
/** utime+stime (and, for `self`, the reaped children's) of a process, in seconds. */
function cpuOf(pid: number | 'self', withChildren = false): number {
  try {
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = (f[11]! + f[12]!) / TICK;
    return withChildren ? own + (f[13]! + f[14]!) / TICK : own;
  } catch {
    return 0; // exited meanwhile
  }
}

/** The lxc-monitor this process runs and the lxc-monitord serving this lxcpath. */
function helperPids(lxcPath: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.includes('lxc-monitor')) && argv.includes(lxcPath)) out.push(Number(p));
    } catch {}
  }
  return out;
}

/** CPU seconds so far: the control plane itself, the commands it ran, and its monitor processes. */
const cpuNow = (lxcPath: string) => {
  const own = cpuOf('self');
  return { own, commands: cpuOf('self', true) - own, monitors: helperPids(lxcPath).reduce((s, p) => s + cpuOf(p), 0) };
};
const total = (c: ReturnType<typeof cpuNow>) => c.own + c.commands + c.monitors;

async function createUpTo(client: KumulusClient, have: number, want: number): Promise<void> {
  for (let i = have; i < want; i += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, want - i) }, (_, k) => client.createServer({ name: `steady-${i + k}`, plan: 'nano', image: 'tiny' })),
    );
    for (const m of made) {
      const op = await client.waitOperation(m.operation.id, 120);
      if (op.state !== 'succeeded') throw new Error(`server ${m.server.name}: ${JSON.stringify(op.error)}`);
    }
  }
}

// A /16 of its own: the harness's /24 holds fewer than 1,000 servers. The sweep runs as in
// production (the harness speeds it up for tests).
const server = await startTestServer({ prepareImages: ['tiny'], network: { cidr: '10.239.0.0/16', gateway: '10.239.0.1' }, sweepMs: 30_000 });
const lxcPath = join(server.dataDir, 'lxc');
// Ctrl-C still removes every container, bridge and table (a second one leaves at once).
process.once('SIGINT', () => {
  console.error('interrupted: deleting the servers (Ctrl-C again to leave them behind)');
  void server.stop().finally(() => process.exit(130));
});
const rows: string[] = [];
try {
  let have = 0;
  for (const n of counts) {
    const t0 = performance.now();
    await createUpTo(server.client, have, n);
    console.error(`${n} servers running (made ${n - have} in ${((performance.now() - t0) / 1000).toFixed(1)} s); idle for ${seconds} s`);
    have = n;
    await new Promise((r) => setTimeout(r, 5000)); // let the last passes after the creates settle
    const c0 = cpuNow(lxcPath);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const c1 = cpuNow(lxcPath);
    const pct = (sec: number) => `${((sec / ((performance.now() - w0) / 1000)) * 100).toFixed(2)} %`;
    const row = `${String(n).padStart(7)}  ${pct(total(c1) - total(c0)).padStart(7)}  ${pct(c1.own - c0.own).padStart(7)}  ${pct(c1.commands - c0.commands).padStart(8)}  ${pct(c1.monitors - c0.monitors).padStart(8)}`;
    rows.push(row);
    console.error(row);
  }
} finally {
  // Through the API, many at a time: the harness's own cleanup destroys one after another.
  console.error('deleting the servers');
  const all = await server.client.all((q) => server.client.listServers(q));
  for (let i = 0; i < all.length; i += 50) {
    const ops = await Promise.all(all.slice(i, i + 50).map((s) => server.client.deleteServer(s.id)));
    await Promise.all(ops.map((op) => server.client.waitOperation(op.id, 120)));
  }
  await server.stop();
}
console.log(`\nsteady state: control plane CPU with idle running servers, ${seconds} s window\n\nservers    total      own  commands  monitors   (share of one core)\n${rows.join('\n')}\n\ntarget: 1,000 running servers under 10 % of one core`);
