/**
 * Benchmark: create→Running through the Kumulus API versus raw lxc-* commands, and 50 creates at once.
 * With `--ssh N` also create→SSH answering, N times on fresh addresses and N times on an address
 * that a deleted server has just given back.
 * Usage: node bench/provision.ts [--image tiny|debian-12] [--count N] [--concurrent 50] [--plan NAME] [--ssh N]
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { KumulusClient, Operation } from '@kumulus/api';
import { engineNames, startTestServer, type TestServer } from '../apps/server/test/harness.ts';
import { type BenchKey, createToSsh, makeKey } from './provision-ssh.ts';

type RawCreateToRunning = (image: string, n: number, opts?: { bridge?: string; diskGb?: number }) => Promise<number[]>;

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: 'tiny' },
    count: { type: 'string', default: '20' },
    concurrent: { type: 'string', default: '50' },
    plan: { type: 'string' },
    ssh: { type: 'string', default: '0' },
  },
});
const image = values.image;
const count = positiveInt(values.count, 'count');
const concurrent = positiveInt(values.concurrent, 'concurrent');
const sshCount = values.ssh === '0' ? 0 : positiveInt(values.ssh, 'ssh');
const run = `bench-${randomBytes(2).toString('hex')}`;

/** Durations in ms of one measured series. */
interface Series {
  label: string;
  ms: number[];
  note?: string;
}

const created = new Set<string>();
let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl-C: stop creating and clean up; a second one leaves at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  log('interrupted: cleaning up (Ctrl-C again to leave containers behind)');
});

// The server's test harness: a temporary data dir, SQLite, the local engine under names of its own.
// The bridge is named here so that the raw containers plug a NIC into the same kind of bridge.
const bridge = `kmt${randomBytes(3).toString('hex')}`;
const server: TestServer = await startTestServer({ prepareImages: [image], bridge, nftTable: `kmt_${bridge.slice(3)}` });
const client = server.client;
let failed = false;
try {
  const plan = values.plan ?? (await smallestPlan(client));
  const diskGb = (await client.all((q) => client.listPlans(q))).find((p) => p.name === plan)?.diskGb;
  log(`server ${server.url}, image ${image}, plan ${plan}, ${count} sequential, ${concurrent} concurrent`);

  // The first create of an image may build or unpack it; that is setup, not provisioning.
  log('warm-up: one create to prepare the image');
  await deleteAll(client, [(await createAndWait(client, `${run}-warm`, plan)).id]);

  const api: Series = { label: 'API create→Running (client)', ms: [] };
  const apiServer: Series = { label: 'API create→Running (server clock)', ms: [] };
  for (let i = 0; i < count && !interrupted; i++) {
    const r = await createAndWait(client, `${run}-s${i}`, plan);
    api.ms.push(r.clientMs);
    apiServer.ms.push(r.serverMs);
    // Each server goes before the next is made, as each raw container is stopped before the
    // next: otherwise 20 Debian guests booting systemd side by side would slow the later
    // creates and the ratio would measure the load, not Kumulus.
    await deleteAll(client, [r.id]);
  }

  const raw: Series = { label: `raw lxc-* create→running`, ms: [] };
  if (!interrupted) {
    const rawCreate = await loadRaw();
    if (rawCreate) {
      log(`raw lxc-* commands: ${count} containers from the same image`);
      // Same image, same disk size, a NIC on the same kind of bridge: only the control plane differs.
      raw.ms = await rawCreate(image, count, { bridge, diskGb });
    } else raw.note = 'bench/provision-raw.ts not available';
  }

  const ssh: Series[] = [];
  if (sshCount > 0 && !interrupted) ssh.push(...(await sshSeries(plan)));

  let burst: Series = { label: `${concurrent} concurrent, each create→Running`, ms: [], note: 'skipped' };
  if (!interrupted) burst = await concurrentBurst(client, plan);

  printReport([api, apiServer, raw], burst, ssh);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await deleteAll(client, [...created]).catch((err) => {
    failed = true;
    console.error('cleanup failed; left behind:', [...created].join(' '), err);
  });
  await server.stop();
}
process.exit(failed ? 1 : 0);

async function smallestPlan(c: KumulusClient): Promise<string> {
  const plans = await c.all((q) => c.listPlans(q));
  const plan = plans.sort((a, b) => a.memoryMb - b.memoryMb || a.vcpus - b.vcpus)[0];
  if (!plan) throw new Error('the server has no plans');
  return plan.name;
}

// From the POST leaving the client to the operation reported done, with the server Running.
async function createAndWait(c: KumulusClient, name: string, plan: string) {
  const t0 = performance.now();
  const accepted = await c.createServer({ name, plan, image });
  created.add(accepted.server.id);
  const op = await waitDone(c, accepted.operation);
  const clientMs = performance.now() - t0;
  const server = await c.getServer(accepted.server.id);
  if (server.status.phase !== 'Running') throw new Error(`${name}: operation succeeded but phase is ${server.status.phase}`);
  const serverMs = Date.parse(op.finishedAt ?? '') - Date.parse(op.createdAt);
  return { id: server.id, clientMs, serverMs };
}

async function waitDone(c: KumulusClient, op: Operation): Promise<Operation> {
  let current = op;
  while (current.state === 'pending' || current.state === 'running') current = await c.waitOperation(current.id, 60);
  if (current.state === 'failed') throw new Error(`operation ${current.id} failed: ${current.error?.code} ${current.error?.message}`);
  return current;
}

// create→SSH answering, on fresh addresses here and on one reused address in a second control
// plane whose /29 holds four other servers (a bridge in use) and hands a released address out
// again at once (cool-down 0), so every round's server gets the address the last one had.
async function sshSeries(plan: string): Promise<Series[]> {
  const key: BenchKey = await makeKey();
  const fresh: Series = { label: 'create→SSH answering (fresh address)', ms: [] };
  const reused: Series = { label: 'create→SSH answering (reused address)', ms: [] };
  const names = engineNames();
  const base = names.network.cidr.split('/')[0]!.split('.').slice(0, 3).join('.');
  let second: TestServer | null = null;
  try {
    log(`create→SSH: ${sshCount} servers on fresh addresses`);
    for (let i = 0; i < sshCount && !interrupted; i++) {
      const r = await createToSsh({ client, name: `${run}-f${i}`, plan, image, key, track: (id) => created.add(id) });
      fresh.ms.push(r.ms);
      await deleteAll(client, [r.id]);
    }
    log(`create→SSH: ${sshCount} servers on a reused address (second control plane, ${base}.0/29, cool-down 0)`);
    second = await startTestServer({ prepareImages: [image, 'tiny'], bridge: names.bridge, nftTable: names.nftTable, network: { cidr: `${base}.0/29`, gateway: `${base}.1` }, addressCooldownMs: 0 });
    const c2 = second.client;
    for (let i = 0; i < 4; i++) await waitDone(c2, (await c2.createServer({ name: `${run}-by${i}`, plan, image: 'tiny' })).operation);
    let address = '';
    // Round 0 takes the last never-used address; every later round gets it from its predecessor.
    for (let i = 0; i <= sshCount && !interrupted; i++) {
      const r = await createToSsh({ client: c2, name: `${run}-r${i}`, plan, image, key, track: () => {} });
      if (i > 0 && r.ipv4 !== address) throw new Error(`round ${i} got ${r.ipv4}, not the reused ${address}`);
      address = r.ipv4;
      if (i > 0) reused.ms.push(r.ms);
      await waitDone(c2, await c2.deleteServer(r.id));
    }
    reused.note = `every round on ${address}`;
  } finally {
    await second?.stop();
    await key.remove();
  }
  return [fresh, reused];
}

// All POSTs leave at once, as 50 users clicking "create" together would send them.
async function concurrentBurst(c: KumulusClient, plan: string): Promise<Series> {
  log(`${concurrent} creates at once`);
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: concurrent }, async (_, i) => {
      const accepted = await c.createServer({ name: `${run}-c${i}`, plan, image });
      created.add(accepted.server.id);
      await waitDone(c, accepted.operation);
      return performance.now() - t0;
    }),
  );
  const total = performance.now() - t0;
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  for (const e of errors.slice(0, 5)) log(`  failed: ${e}`);
  const note = `${ok.length}/${concurrent} Running; all done after ${fmt(total)}`;
  return { label: `${concurrent} concurrent, each create→Running`, ms: ok, note };
}

async function deleteAll(c: KumulusClient, ids: string[]): Promise<void> {
  // Ten at a time: deletes are cheap, but a thousand parallel long polls are not.
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map(async (id) => {
        await waitDone(c, await c.deleteServer(id));
        created.delete(id);
      }),
    );
  }
}

async function loadRaw(): Promise<RawCreateToRunning | null> {
  const specifier = './provision-raw.ts';
  try {
    return ((await import(specifier)) as { rawCreateToRunning: RawCreateToRunning }).rawCreateToRunning;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

function printReport(series: Series[], burst: Series, ssh: Series[]): void {
  const rows = [...series, burst, ...ssh].map((s) =>
    s.ms.length
      ? [s.label, String(s.ms.length), fmt(pct(s.ms, 50)), fmt(pct(s.ms, 95)), fmt(pct(s.ms, 99)), fmt(Math.max(...s.ms)), s.note ?? '']
      : [s.label, '0', '-', '-', '-', '-', s.note ?? ''],
  );
  const head = ['series', 'n', 'p50', 'p95', 'p99', 'max', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  // Other work on the host skews every figure; the load average says how quiet it was.
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\nprovision benchmark: image ${image}, ${count} sequential, ${cpus().length} CPUs, load average ${load}\n`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const [api, apiServer, raw] = series;
  if (api?.ms.length && apiServer?.ms.length && raw?.ms.length) {
    const ratio = (s: Series) => (pct(s.ms, 50) / pct(raw.ms, 50)).toFixed(2);
    console.log(`\nratio API/raw (p50): ${ratio(api)} client, ${ratio(apiServer)} server clock  (target ≤ 1.2)`);
  }
  console.log(`${burst.note ?? ''}  (target: all Running within 15 s)`);
  if (ssh.length) console.log('create→SSH answering: target p50 ≤ 1.5 s and p99 ≤ 3 s, fresh and reused alike');
}

// Nearest-rank percentile: a value that was actually measured, never an interpolation.
function pct(ms: number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}
