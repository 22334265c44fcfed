/**
 * `kumulus serve` as an operator runs it: a process that comes up, serves the API with the bootstrap
 * token, and leaves with exit 0 on SIGTERM and SIGINT.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { kumulusBin, runCli } from './run-cli.ts';

const run = promisify(execFile);
const tag = randomBytes(3).toString('hex');
// Names and a range of its own, so that the test never touches a real installation's kmbr0/10.77.0.0/16.
const engineArgs = ['--bridge', `kms${tag}`, '--nft-table', `kms_${tag}`, '--network', `10.${200 + (Number.parseInt(tag, 16) % 50)}.${Number.parseInt(tag.slice(0, 2), 16)}.0/24`];
const token = `kmt_serve_test_${tag}_0123456789`;

describe('kumulus serve', { timeout: 300_000 }, () => {
  const dirs: string[] = [];
  after(async () => {
    await run('ip', ['link', 'del', `kms${tag}`]).catch(() => {});
    await run('nft', ['delete', 'table', 'inet', `kms_${tag}`]).catch(() => {});
    for (const family of ['inet', 'bridge']) await run('nft', ['delete', 'table', family, `kms_${tag}_fw`]).catch(() => {});
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`serves the API and stops with exit 0 on ${signal}`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'kumulus-serve-'));
      dirs.push(dataDir);
      // HTTPS on loopback too: its default (every address, 8443) would collide with a real installation's.
      const child = spawn(kumulusBin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0', ...engineArgs], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', KUMULUS_LANG: 'en', KUMULUS_BOOTSTRAP_TOKEN: token },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      try {
        const url = await listeningUrl(child);
        const health = await fetch(`${url}/healthz`);
        assert.equal(health.status, 200);
        const env = { KUMULUS_URL: url, KUMULUS_TOKEN: token, KUMULUS_CONFIG: join(dataDir, 'cli.json') };
        const plans = await runCli(['plan', 'list'], { env });
        assert.equal(plans.code, 0, plans.stderr);
        const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        child.kill(signal);
        assert.equal(await exit, 0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }
});

// serve prints "listening on URL" once the API answers; with port 0 that is the only way to learn the port.
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`kumulus serve exited with ${code} before listening:\n${err}`)));
  });
}
