/**
 * `kumulus serve` over HTTPS as an operator starts it: a certificate made on the first start and kept for the
 * next, its fingerprint printed and the same as the one the listener presents; plain HTTP only on loopback.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { kumulusBin, runCli } from './run-cli.ts';

const run = promisify(execFile);
const tag = randomBytes(3).toString('hex');
const engineArgs = ['--bridge', `kmh${tag}`, '--nft-table', `kmh_${tag}`, '--network', `10.${150 + (Number.parseInt(tag, 16) % 50)}.${Number.parseInt(tag.slice(0, 2), 16)}.0/24`];
const token = `kmt_serve_tls_${tag}_0123456789`;

interface Started {
  child: ChildProcess;
  httpsUrl: string;
  fingerprint: string;
  stderr: () => string;
}

// serve prints the HTTPS URL and fingerprint, then the loopback URL once everything answers.
function startServe(dataDir: string): Promise<Started> {
  const child = spawn(kumulusBin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0', ...engineArgs], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', KUMULUS_LANG: 'en', KUMULUS_BOOTSTRAP_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const https = /listening on (https:\/\/\S+?)\/ over HTTPS/.exec(err)?.[1];
      const fingerprint = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(err)?.[1];
      if (https && fingerprint && /listening on http:\/\//.test(err)) resolve({ child, httpsUrl: https, fingerprint, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`kumulus serve exited with ${code} before listening:\n${err}`)));
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
}

// Trusting only the certificate in the data dir: the chain and the 127.0.0.1 name are really verified.
function healthz(url: string, ca: string): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    request(`${url}/healthz`, { ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 }));
    })
      .on('error', reject)
      .end();
  });
}

describe('kumulus serve over HTTPS', { timeout: 300_000 }, () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await run('ip', ['link', 'del', `kmh${tag}`]).catch(() => {});
    await run('nft', ['delete', 'table', 'inet', `kmh_${tag}`]).catch(() => {});
    for (const family of ['inet', 'bridge']) await run('nft', ['delete', 'table', family, `kmh_${tag}_fw`]).catch(() => {});
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('makes a certificate on first start, prints its fingerprint, and keeps it for the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kumulus-serve-tls-'));
    dirs.push(dataDir);
    const first = await startServe(dataDir);
    children.push(first.child);
    assert.match(first.stderr(), /made a self-signed certificate: .*tls\/cert\.pem/);
    const cert = await readFile(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const health = await healthz(first.httpsUrl, cert);
    assert.equal(health.status, 200);
    assert.equal(health.fingerprint, first.fingerprint, 'the printed fingerprint is the one the listener presents');
    await stopServe(first.child);

    const second = await startServe(dataDir);
    children.push(second.child);
    assert.doesNotMatch(second.stderr(), /made a self-signed certificate/);
    assert.equal(second.fingerprint, first.fingerprint);
    assert.equal(await readFile(join(dataDir, 'tls', 'cert.pem'), 'utf8'), cert);
    assert.equal((await healthz(second.httpsUrl, cert)).fingerprint, first.fingerprint);
    await stopServe(second.child);
  });

  test('plain HTTP on an address other machines reach is a usage error, before anything starts', async () => {
    const r = await runCli(['serve', '--data-dir', '/nonexistent/kumulus', '--listen', '0.0.0.0:8080', ...engineArgs], { env: { KUMULUS_LANG: 'en' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /plain HTTP on 0\.0\.0\.0:8080 .*--insecure-http/);
    const off = await runCli(['serve', '--listen', 'off', '--tls-listen', 'off'], { env: { KUMULUS_LANG: 'de' } });
    assert.equal(off.code, 2, off.stderr);
    assert.match(off.stderr, /beide aus/);
  });
});
