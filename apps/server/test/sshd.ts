/**
 * A real OpenSSH server for tests of SFTP backup targets: started on 127.0.0.1 on a free port
 * with a host key and an authorized client key made for it in a temporary directory, root's
 * login by key only, and stopped (directory removed) by `stop()`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running test sshd. */
export interface TestSshd {
  port: number;
  /** The client's private key (OpenSSH format), authorized for root. */
  privateKey: string;
  /** The server's public host key (`ssh-ed25519 AAAA…`). */
  hostKey: string;
  /** A directory the tests may use as the remote backup path. */
  dir: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });

/** Starts an sshd on loopback; throws when it does not answer. */
export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'kumulus-sshd-'));
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  keygen(join(dir, 'host'));
  keygen(join(dir, 'client'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  let child: ChildProcess | null = null;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
    const c = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    c.on('exit', () => {
      exited = true;
    });
    for (let i = 0; i < 40 && !exited; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(true)); // the port is taken: sshd listens
        s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
      });
      if (up) break;
      await sleep(100);
    }
    if (!exited) child = c;
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('sshd did not start');
  }
  const running = child;
  mkdirSync(join(dir, 'remote'), { mode: 0o700 });
  return {
    port,
    privateKey: readFileSync(join(dir, 'client'), 'utf8'),
    hostKey: readFileSync(join(dir, 'host.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    dir: join(dir, 'remote'),
    stop: async () => {
      if (running.exitCode === null) {
        const gone = new Promise((r) => running.once('exit', r));
        running.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
