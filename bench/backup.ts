/**
 * Backup engine figures (issue 12): restic backup and restore throughput of a disk image of mixed
 * data (random, text, zeros) against raw `tar | zstd` of the same file on the same machine, the
 * time and added size of a second backup after 1 % of the data changed, and verification (read
 * back and compare checksums) per GB. Prints figures only: `scripts/bench.sh backup [--mb 2048]`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createBackupFiles } from '../apps/server/src/drivers/local/backup/files.ts';
import { createRestic } from '../apps/server/src/drivers/local/backup/restic.ts';
import { hashingPassThrough, hashingSink, sparseFileSink } from '../apps/server/src/drivers/local/backup/sparse-sink.ts';

const mbArg = process.argv.indexOf('--mb');
const MB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 2048;
const dir = mkdtempSync(join(tmpdir(), 'kumulus-bench-backup-'));
const image = join(dir, 'disk.img');
const CHUNK = 1 << 20;
const seconds = (t: number) => (performance.now() - t) / 1000;

try {
  // A third random, a third repetitive text, a third zeros (holes), in 1 MiB stripes.
  const fd = openSync(image, 'w');
  const text = Buffer.alloc(CHUNK, 'kumulus backup benchmark line of text 0123456789\n');
  for (let i = 0; i < MB; i++) {
    if (i % 3 === 0) writeSync(fd, randomBytes(CHUNK), 0, CHUNK, i * CHUNK);
    else if (i % 3 === 1) writeSync(fd, text, 0, CHUNK, i * CHUNK);
  }
  closeSync(fd);
  spawnSync('truncate', ['-s', `${MB}M`, image]);
  const bytes = statSync(image).size;

  let t = performance.now();
  spawnSync('sh', ['-c', `tar -cf - -C ${dir} disk.img | zstd -q -T1 -3 > ${join(dir, 'raw.tar.zst')}`], { stdio: 'inherit' });
  const rawSec = seconds(t);
  t = performance.now();
  spawnSync('sh', ['-c', `zstd -q -d -c ${join(dir, 'raw.tar.zst')} | tar -xf - -C ${join(dir)} --to-stdout > /dev/null`], { stdio: 'inherit' });
  const rawRestoreSec = seconds(t);

  const files = createBackupFiles(join(dir, 'engine'));
  const restic = createRestic(files);
  const repo = { target: { id: 'bkt_bench', kind: 'dir' as const, path: join(dir, 'repo') }, tenantId: 'ten_bench' };
  await restic.ensureRepo(repo);
  const backup = async (tag: string) => {
    const h = hashingPassThrough();
    createReadStream(image).pipe(h.stream);
    const start = performance.now();
    const r = await restic.backupStream(repo, 'root.img', ['kumulus', tag], h.stream);
    return { ...r, sec: seconds(start) };
  };
  const first = await backup('bkp_first');
  // 1 % of the data changed, in scattered 64 KiB blocks.
  const fd2 = openSync(image, 'r+');
  for (let i = 0; i < (bytes * 0.01) / 65536; i++) writeSync(fd2, randomBytes(65536), 0, 65536, Math.floor(Math.random() * (bytes / 65536)) * 65536);
  closeSync(fd2);
  const second = await backup('bkp_second');

  t = performance.now();
  const sink = await sparseFileSink(join(dir, 'restored.img'));
  await Promise.all([restic.dump(repo, second.snapshotId, 'root.img', sink.stream), finished(sink.stream)]);
  await sink.done();
  const restoreSec = seconds(t);
  t = performance.now();
  const check = hashingSink();
  await Promise.all([restic.dump(repo, second.snapshotId, 'root.img', check.stream), finished(check.stream)]);
  const verifySec = seconds(t);

  const mbps = (s: number) => (bytes / 1024 ** 2 / s).toFixed(1);
  console.log(`data: ${MB} MiB disk image (1/3 random, 1/3 text, 1/3 zeros)`);
  console.log(`tar | zstd:        ${rawSec.toFixed(1)} s  ${mbps(rawSec)} MiB/s; restore ${rawRestoreSec.toFixed(1)} s  ${mbps(rawRestoreSec)} MiB/s`);
  console.log(`restic backup:     ${first.sec.toFixed(1)} s  ${mbps(first.sec)} MiB/s  added ${(first.addedBytes / 1024 ** 2).toFixed(1)} MiB   ratio to tar|zstd ${(rawSec / first.sec).toFixed(2)} (target ≥ 0.8)`);
  console.log(`second, 1 % changed: ${second.sec.toFixed(1)} s  added ${(second.addedBytes / 1024 ** 2).toFixed(1)} MiB`);
  console.log(`restic restore:    ${restoreSec.toFixed(1)} s  ${mbps(restoreSec)} MiB/s   ratio to tar|zstd ${(rawRestoreSec / restoreSec).toFixed(2)} (target ≥ 0.8)`);
  console.log(`verification:      ${(verifySec / (bytes / 1024 ** 3)).toFixed(1)} s per GiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
