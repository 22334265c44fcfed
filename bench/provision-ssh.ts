/**
 * create→SSH answering: from the POST to a finished `ssh root@<address> true` with the key the
 * server was created with, for fresh addresses and for an address a deleted server just gave back.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KumulusClient, Operation } from '@kumulus/api';

/** A key pair made for the run; `remove` deletes it. */
export interface BenchKey {
  path: string;
  publicKey: string;
  remove(): Promise<void>;
}

/** What one create→SSH measurement needs. */
export interface SshRound {
  client: KumulusClient;
  name: string;
  plan: string;
  image: string;
  /** `vm` for an image of virtual machines; container when absent. */
  kind?: 'container' | 'vm';
  key: BenchKey;
  /** Called with the new server's id at once, so the caller can clean up after a failure. */
  track(id: string): void;
}

/** Makes an ed25519 key pair with ssh-keygen (openssh-client, installed by scripts/bench.sh). */
export async function makeKey(): Promise<BenchKey> {
  const dir = await mkdtemp(join(tmpdir(), 'kumulus-bench-ssh-'));
  const path = join(dir, 'id_ed25519');
  const r = await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kumulus-bench', '-f', path]);
  if (r.code !== 0) throw new Error(`ssh-keygen failed (${r.code}): ${r.stderr}. Run the benchmark through scripts/bench.sh, which installs openssh-client.`);
  return { path, publicKey: (await readFile(`${path}.pub`, 'utf8')).trim(), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Creates a server with the key and answers the ms until `ssh root@<address> true` succeeded. */
export async function createToSsh(r: SshRound): Promise<{ ms: number; id: string; ipv4: string }> {
  const t0 = performance.now();
  const accepted = await r.client.createServer({ name: r.name, plan: r.plan, image: r.image, ...(r.kind ? { kind: r.kind } : {}), sshKeys: [r.key.publicKey] });
  r.track(accepted.server.id);
  await waitDone(r.client, accepted.operation);
  const ipv4 = accepted.server.spec.nics[0]?.ipv4.split('/')[0] ?? '';
  const deadline = performance.now() + 180_000;
  // A user would retry ssh until it logs in; the banner probe only spares an ssh process per
  // try while sshd is not up yet. Both go through the host's neighbour entry, as a user's would.
  for (;;) {
    if ((await banner(ipv4)) && (await ssh(r.key.path, ipv4)) === 0) return { ms: performance.now() - t0, id: accepted.server.id, ipv4 };
    if (performance.now() > deadline) throw new Error(`${r.name} (${ipv4}): ssh did not log in within 180 s`);
    await sleep(20);
  }
}

/** Waits for an operation to end; throws when it failed. */
export async function waitDone(c: KumulusClient, op: Operation): Promise<Operation> {
  let current = op;
  while (current.state === 'pending' || current.state === 'running') current = await c.waitOperation(current.id, 60);
  if (current.state === 'failed') throw new Error(`operation ${current.id} failed: ${current.error?.code} ${current.error?.message}`);
  return current;
}

/** True when port 22 answers with an SSH banner within a second. */
function banner(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port: 22, timeout: 1000 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    s.once('timeout', () => done(false)).once('error', () => done(false)).once('close', () => done(false));
  });
}

/** One non-interactive login; `-F /dev/null` keeps the host's ssh_config out of the figure. */
async function ssh(key: string, host: string): Promise<number> {
  const opts = ['BatchMode=yes', 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'ConnectTimeout=2', 'LogLevel=ERROR'];
  return (await exec('ssh', ['-F', '/dev/null', '-i', key, ...opts.flatMap((o) => ['-o', o]), `root@${host}`, 'true'])).code;
}

function exec(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject).on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}
