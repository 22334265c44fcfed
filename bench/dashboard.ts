/**
 * Benchmark of the dashboard: first-load JavaScript (gzipped) and the time until the server
 * list with 1,000 servers is rendered and interactive in headless Chromium.
 *
 *   node bench/dashboard.ts [--servers 1000] [--runs 5]
 *
 * Seeding: creating 1,000 real containers would measure LXC, not the dashboard. So one real
 * server is created through the API (a real container, reconciled to Running), and its row
 * is then copied 999 times straight into the running control plane's SQLite store, with
 * fresh ids, names and addresses. The copies are never enqueued, so no reconciler touches
 * them; the API serves all 1,000 rows exactly as it would real ones. Nothing is stubbed:
 * the browser talks to the real server, which pages through the real store (2 × 500).
 *
 * "Rendered" is navigation start → 1,000 rows in the DOM; "painted" is the next frame after
 * it (style and layout of the table are most of the gap); "interactive" adds typing into the
 * filter and the list answering with the single match (the main thread is free again).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { launchBrowser, signIn } from '../apps/web/test/support/browser.ts';
import { ensureWebBuild } from '../apps/web/test/support/web-dist.ts';
import { startTestServer } from '../apps/server/test/harness.ts';

const { values } = parseArgs({ options: { servers: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } } });
const COUNT = Number(values.servers);
const RUNS = Number(values.runs);
const PASSWORD = 'Correct-Horse-Battery-9';

/** Gzipped size of the JS the first page load fetches: the entry and its modulepreloads, not lazy chunks. */
function firstLoadJs(dist: string): { files: string[]; raw: number; gzip: number; lazyGzip: number } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(join(dist, f));
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
  }
  let lazyGzip = 0;
  for (const f of readdirSync(join(dist, 'assets'))) {
    if (f.endsWith('.js') && !files.includes(`assets/${f}`)) lazyGzip += gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length;
  }
  return { files, raw, gzip, lazyGzip };
}

/** Copies the template server row until the tenant has `count` servers. */
function seed(dbPath: string, templateId: string, count: number): void {
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA busy_timeout = 5000');
  const row = db.prepare('select * from servers where id = ?').get(templateId) as Record<string, string | number>;
  const insert = db.prepare(
    'insert into servers (id, tenant_id, name, generation, spec, status, deletion_requested_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, null, ?, ?)',
  );
  const spec = JSON.parse(String(row.spec));
  db.exec('begin');
  for (let i = 1; i < count; i++) {
    const n = String(i).padStart(4, '0');
    const id = `srv_bench${n}${'0'.repeat(16)}`;
    const nic = { ...spec.nics[0], id: `nic_bench${n}${'0'.repeat(16)}`, ipv4: `10.${200 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}/16` };
    const s = { ...spec, hostname: `bench-${n}`, nics: [nic] };
    insert.run(id, row.tenant_id!, `bench-${n}`, row.generation!, JSON.stringify(s), row.status!, Number(row.created_at) + i, Number(row.updated_at) + i);
  }
  db.exec('commit');
  db.close();
}

/**
 * Runs in the page (a string, as bench/ is compiled without the DOM library): waits for the
 * rows, then the next frame, then types into the filter the way React sees a user type
 * (native value setter plus an input event) and waits for the single match.
 */
const MEASURE = `async (count) => {
  const rows = () => document.querySelectorAll('[data-testid=server-row]').length;
  const until = (ok) => new Promise((res) => { const tick = () => (ok() ? res() : requestAnimationFrame(tick)); tick(); });
  await until(() => rows() >= count);
  const rendered = performance.now();
  await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
  const painted = performance.now();
  const input = document.querySelector('[data-testid=server-filter]');
  input.focus();
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, 'bench-0777');
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await until(() => rows() === 1);
  return { rendered, painted, interactive: performance.now() };
}`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dist = ensureWebBuild();
  const js = firstLoadJs(dist);
  console.log(`first-load JS: ${js.files.join(', ')}`);
  console.log(`first-load JS: ${(js.raw / 1024).toFixed(1)} KB raw, ${(js.gzip / 1024).toFixed(1)} KB gzipped (budget 300 KB); lazy console chunk ${(js.lazyGzip / 1024).toFixed(1)} KB gzipped`);

  const server = await startTestServer();
  const browser = await launchBrowser().catch(async (e) => {
    await server.stop();
    throw e;
  });
  try {
    await server.client.createTenant({ name: 'bench', admin: { email: 'admin@bench.test', password: PASSWORD } });
    const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, server.url, 'admin@bench.test', PASSWORD);
    // One real server, made the normal way, is the template for the copies.
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/v1/servers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench-0000', plan: 'nano', image: 'tiny', password: 'Bench-Pass-1234!' }) });
      return (await res.json()) as { server: { id: string }; operation: { id: string } };
    });
    await server.client.waitOperation(created.operation.id, 120);
    seed(join(server.dataDir, 'store', 'kumulus.db'), created.server.id, COUNT);

    const rendered: number[] = [];
    const interactive: number[] = [];
    const painted: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      await page.goto('about:blank');
      await page.goto(`${server.url}/servers`);
      const t = (await page.evaluate(`(${MEASURE})(${COUNT})`)) as { rendered: number; painted: number; interactive: number };
      rendered.push(t.rendered);
      painted.push(t.painted);
      interactive.push(t.interactive);
    }
    console.log(`server list with ${COUNT} servers, ${RUNS} runs, from navigation start:`);
    console.log(`  rendered:    median ${median(rendered).toFixed(0)} ms (runs ${rendered.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  painted:     median ${median(painted).toFixed(0)} ms (runs ${painted.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  interactive: median ${median(interactive).toFixed(0)} ms (runs ${interactive.map((x) => x.toFixed(0)).join(', ')}) (budget 1000 ms)`);
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
  }
}

await main();
