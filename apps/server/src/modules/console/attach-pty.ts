/**
 * A shell inside a container, behind a pseudo-terminal, without native addons.
 *
 * util-linux `script` allocates the pty and runs `lxc-attach` on its slave side; lxc-attach
 * sees a terminal, puts it in raw mode and proxies to a pty of its own inside the container,
 * so line editing, echo and job control behave as over SSH. Node only talks to script's
 * stdin/stdout pipes. Resizing sets the size of script's pty slave with `stty -F`; the kernel
 * then sends SIGWINCH to lxc-attach, which forwards the new size into the container.
 */
import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Quotes one word for /bin/sh. */
const sq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A running console session. */
export interface AttachPty {
  write(data: string): void;
  resize(cols: number, rows: number): Promise<void>;
  onData(fn: (chunk: Buffer) => void): void;
  onExit(fn: (code: number | null) => void): void;
  kill(): void;
}

/** Options of a console session. */
export interface AttachOptions {
  lxcPath: string;
  /** The container's name, which is our server id. */
  name: string;
  cols: number;
  rows: number;
  /** The login shell to run in the guest. */
  shell?: string;
}

/** Starts `lxc-attach` into the container behind a pty. */
export function attachPty(o: AttachOptions): AttachPty {
  const inner = [
    // Raw before lxc-attach starts (it would set raw itself, a moment later): keystrokes that
    // arrive early must not be echoed by our pty's line discipline as well as by the guest's.
    // The initial size is set here too, so the first prompt already fits.
    `stty raw -echo rows ${o.rows} cols ${o.cols} 2>/dev/null;`,
    'exec lxc-attach',
    `-P ${sq(o.lxcPath)} -n ${sq(o.name)}`,
    // A clean environment: the control plane's variables (paths, secrets) must not leak in.
    '--clear-env --set-var TERM=xterm-256color --set-var HOME=/root',
    '--set-var PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `-- ${sq(o.shell ?? '/bin/sh')} -l`,
  ].join(' ');
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn('script', ['-qfec', inner, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8' },
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  // A write after the child died raises EPIPE on stdin; the exit event already tells the story.
  child.stdin.on('error', () => {});

  return {
    write(data) {
      if (!exited) child.stdin.write(data);
    },
    async resize(cols, rows) {
      const tty = await slaveTty(child.pid);
      if (tty) await execFileP('stty', ['-F', tty, 'rows', String(rows), 'cols', String(cols)]).catch(() => {});
    },
    onData(fn) {
      child.stdout.on('data', fn);
    },
    onExit(fn) {
      child.on('exit', (code) => fn(code));
    },
    kill() {
      // Closing script's side hangs up the pty, which ends lxc-attach and the guest shell.
      if (!exited) child.kill('SIGTERM');
    },
  };
}

/** The pty slave that script's child (the shell running lxc-attach) has as stdin. */
async function slaveTty(scriptPid: number | undefined): Promise<string | null> {
  if (!scriptPid) return null;
  const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
  for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
    const target = await readlink(`/proc/${pid}/fd/0`).catch(() => '');
    if (target.startsWith('/dev/pts/')) return target;
  }
  return null;
}
