/**
 * Storage benchmark, per backend: volume create→attached (p50, p95) into a running container
 * through the engine's storage facet, and the throughput of direct-I/O writes inside the guest
 * to a volume as a ratio of the same writes on the host to a file beside the backend's volumes.
 *
 *   node bench/storage.ts [--count N] [--mb MB]
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { lxcAttach } from '../apps/server/src/drivers/local/lxc.ts';
import { makeLocalTestEngine } from '../apps/server/src/drivers/local/test-harness.ts';

const sh = promisify(execFile);
const { values } = parseArgs({ options: { count: { type: 'string', default: '10' }, mb: { type: 'string', default: '512' } } });
const count = Number(values.count);
const mb = Number(values.mb);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

const t = await makeLocalTestEngine();
try {
  const { engine } = t;
  const image = await engine.images.prepare('tiny');
  const srv = 'srv_benchstorage0';
  await engine.compute.create({ id: srv, kind: 'container', hostname: 'bench', image, vcpus: 2, memoryMb: 512, diskGb: 1, sshKeys: [], nics: [] });
  await engine.compute.start(srv);

  // create → attached, each volume detached and destroyed again before the next.
  const spans: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = `vol_bench${i}`;
    const t0 = performance.now();
    await engine.storage.create({ id, sizeGb: 1, format: 'ext4' });
    await engine.storage.attach(id, { instance: srv, path: '/mnt/bench' });
    spans.push(performance.now() - t0);
    await engine.storage.destroy(id);
  }
  console.log(`backend ${engine.storage.backend}: volume create→attached (1 GB ext4, running container), n=${count}: p50 ${pct(spans, 50).toFixed(0)} ms, p95 ${pct(spans, 95).toFixed(0)} ms`);

  // Throughput: the same dd with O_DIRECT, in the guest to the volume and on the host beside it.
  const id = 'vol_benchio';
  await engine.storage.create({ id, sizeGb: Math.ceil((mb * 2) / 1024) + 1, format: 'ext4' });
  await engine.storage.attach(id, { instance: srv, path: '/mnt/io' });
  const dd = (of: string) => ['if=/dev/zero', `of=${of}`, 'bs=1M', `count=${mb}`, 'oflag=direct', 'conv=fsync'];
  const guest: number[] = [];
  const host: number[] = [];
  const raw = join(t.root, 'volumes', 'raw-baseline.bin');
  for (let round = 0; round < 3; round++) {
    let t0 = performance.now();
    const r = await lxcAttach(t.lxcPath, srv, ['dd', ...dd('/mnt/io/f')]);
    if (r.code !== 0) throw new Error(`dd in the guest: ${r.stderr}`);
    guest.push(mb / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    await sh('dd', dd(raw));
    host.push(mb / ((performance.now() - t0) / 1000));
    await rm(raw, { force: true });
  }
  const g = pct(guest, 50);
  const h = pct(host, 50);
  console.log(`sequential direct writes of ${mb} MiB, median of 3: volume in the guest ${g.toFixed(0)} MiB/s, host file beside the volumes ${h.toFixed(0)} MiB/s, ratio ${(g / h).toFixed(2)}`);
  await engine.storage.destroy(id);
} finally {
  await t.cleanup();
}
