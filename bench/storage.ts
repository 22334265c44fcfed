/**
 * Storage benchmark, per backend: volume create→attached (p50, p95) into a running container
 * through the engine's storage facet; the throughput of direct-I/O writes inside the guest to a
 * volume as a ratio of the same writes on the host to a file beside the backend's volumes, both
 * for a first write (space not allocated yet: a thin volume allocates in its image file as the
 * guest writes) and for a rewrite of space already written (conv=notrunc on both sides); and a
 * snapshot and rollback of a running server with `--snap-mb` MiB written (time, space used).
 *
 *   node bench/storage.ts [--count N] [--mb MB] [--snap-mb MB]
 */
import { execFile, execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { lxcAttach } from '../apps/server/src/drivers/local/lxc.ts';
import { makeLocalTestEngine } from '../apps/server/src/drivers/local/test-harness.ts';

const sh = promisify(execFile);
const { values } = parseArgs({ options: { count: { type: 'string', default: '10' }, mb: { type: 'string', default: '512' }, 'snap-mb': { type: 'string', default: '1024' } } });
const count = Number(values.count);
const mb = Number(values.mb);

/** The filesystem type under `dir` (reflink copies are free on xfs and btrfs, sparse copies on ext4). */
const hostFs = (dir: string) => execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();

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
  const dd = (of: string, rewrite: boolean) => ['if=/dev/zero', `of=${of}`, 'bs=1M', `count=${mb}`, 'oflag=direct', rewrite ? 'conv=fsync,notrunc' : 'conv=fsync'];
  const raw = join(t.root, 'volumes', 'raw-baseline.bin');
  // Each side's rate by a clock next to dd: the guest's busybox `time` (its dd prints no time; 10 ms
  // steps), and coreutils dd's own on the host; the lxc-attach that starts the guest's dd is not in the figure.
  const inGuest = async (rewrite: boolean) => {
    const r = await lxcAttach(t.lxcPath, srv, ['time', 'dd', ...dd('/mnt/io/f', rewrite)]);
    const m = /real\s+(\d+)m\s*([\d.]+)s/.exec(r.stderr);
    const secs = m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    if (r.code !== 0 || !(secs > 0)) throw new Error(`dd in the guest: ${r.stderr}`);
    return mb / secs;
  };
  const onHost = async (rewrite: boolean) => {
    const secs = Number(/copied, ([\d.]+) s/.exec((await sh('dd', dd(raw, rewrite))).stderr)?.[1]);
    if (!(secs > 0)) throw new Error('dd on the host printed no time');
    return mb / secs;
  };
  const first = { guest: [] as number[], host: [] as number[] };
  const again = { guest: [] as number[], host: [] as number[] };
  for (let round = 0; round < 3; round++) {
    // A fresh file each round on both sides: the guest's ext4 and the host's allocate anew.
    await lxcAttach(t.lxcPath, srv, ['rm', '-f', '/mnt/io/f']);
    // Gives the freed blocks back to the image file (holes again), so the guest's first write allocates as the host's does.
    await sh('fstrim', [join(t.root, 'volume-mounts', id)]);
    await rm(raw, { force: true });
    first.guest.push(await inGuest(false));
    first.host.push(await onHost(false));
    again.guest.push(await inGuest(true));
    again.host.push(await onHost(true));
  }
  await rm(raw, { force: true });
  for (const [label, m] of [['first write', first], ['rewrite', again]] as const) {
    const g = pct(m.guest, 50);
    const h = pct(m.host, 50);
    console.log(`sequential direct writes of ${mb} MiB (${label}), median of 3: volume in the guest ${g.toFixed(0)} MiB/s, host file beside the volumes ${h.toFixed(0)} MiB/s, ratio ${(g / h).toFixed(2)}`);
  }
  await engine.storage.destroy(id);

  // Snapshot of a running server with snap-mb MiB of fresh data on its root disk.
  const snapMb = Number(values['snap-mb']);
  const big = 'srv_benchsnap0';
  await engine.compute.create({ id: big, kind: 'container', hostname: 'bench-snap', image, vcpus: 2, memoryMb: 512, diskGb: Math.ceil(snapMb / 1024) + 1, sshKeys: [], nics: [] });
  await engine.compute.start(big);
  const w = await lxcAttach(t.lxcPath, big, ['sh', '-c', `head -c ${snapMb * 1024 * 1024} /dev/urandom > /root/data && sync`]);
  if (w.code !== 0) throw new Error(`writing in the guest: ${w.stderr}`);
  const target = { kind: 'server' as const, id: big };
  let t0 = performance.now();
  await engine.storage.snapshot(target, 'snp_bench0');
  const snapMs = performance.now() - t0;
  const seen = await engine.storage.inspectSnapshot(target, 'snp_bench0');
  t0 = performance.now();
  await engine.storage.rollback(target, 'snp_bench0');
  const rollbackMs = performance.now() - t0;
  console.log(
    `snapshot of a running server with ${snapMb} MiB written (${engine.storage.backend}, host ${hostFs(t.root)}): ${snapMs.toFixed(0)} ms (the guest frozen for the copy), ` +
      `${((seen?.usedBytes ?? 0) / 1024 ** 2).toFixed(0)} MiB used of a ${((seen?.sizeBytes ?? 0) / 1024 ** 3).toFixed(0)} GiB disk; rollback (stop, swap, start) ${rollbackMs.toFixed(0)} ms`,
  );
  await engine.storage.removeSnapshot(target, 'snp_bench0');
  await engine.compute.destroy(big);
} finally {
  await t.cleanup();
}
