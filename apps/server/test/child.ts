/**
 * A control plane in a child process, for the tests that kill it with SIGKILL and start it
 * again on the same data dir (apps/server/test/fixtures/serve-child.ts runs it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KumulusClient } from '@kumulus/api';
import { createLocalEngine } from '../src/drivers/local/index.ts';
import { engineNames } from './harness.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'serve-child.ts');

/** Starts `serve(opts)` in a child process and answers once it listens, with a client for its bootstrap token. */
export async function startChild(opts: object): Promise<{ child: ChildProcess; url: string; client: KumulusClient }> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`control plane exited with ${code} before listening`)));
  });
  return { child, url, client: new KumulusClient({ baseUrl: url, token: (opts as { bootstrapToken?: string }).bootstrapToken }) };
}

/** Resolves with the child's exit code once it has exited (at once if it already has). */
export const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (code) => r(code))));

/**
 * A crash test's world: a data dir, engine names of its own, a control plane in a child process
 * on them that the test kills and starts again, and a cleanup that removes every volume, server,
 * network and table it left (also when the test failed).
 */
export function crashSandbox(prefix: string, token: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `kumulus-${prefix}-`));
  const names = engineNames();
  const engine = createLocalEngine({ lxcPath: join(dataDir, 'lxc'), bridge: names.bridge, nftTable: names.nftTable });
  const opts = { dataDir, listen: '127.0.0.1:0', bridge: names.bridge, nftTable: names.nftTable, network: names.network, bootstrapToken: token, prepareImages: ['tiny'], sweepMs: 2000 };
  let child: ChildProcess | undefined;
  const kill = async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    child = undefined;
  };
  return {
    dataDir,
    engine,
    /** Starts the control plane (again) on the same data dir. */
    async start() {
      const run = await startChild(opts);
      child = run.child;
      return run;
    },
    /** SIGKILL, and waits until it is gone. */
    kill,
    async cleanup() {
      await kill();
      for (const id of await engine.storage.list().catch(() => [])) await engine.storage.destroy(id).catch(() => {});
      for (const id of await engine.compute.list()) await engine.compute.destroy(id);
      for (const id of await engine.network.listNetworks()) await engine.network.removeNetwork(id);
      await engine.network.removeDefault();
      await engine.firewall?.remove();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Loop devices backed by files under `dir`. */
export const loopsUnder = (dir: string) =>
  execFileSync('losetup', ['-l', '-n', '-O', 'NAME,BACK-FILE'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir));

/** Mounts under `dir`, as /proc/self/mountinfo lists them. */
export const mountsUnder = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir));
