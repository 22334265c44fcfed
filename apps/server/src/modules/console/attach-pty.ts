/**
 * A terminal into a container behind a pseudo-terminal, without native addons, in one of two
 * modes:
 * - `console` (the default): the guest's own console, `/dev/console`, through `lxc-console
 *   -t 0`. The guest runs a getty there, so the user meets a login prompt, as on a Proxmox or
 *   Hetzner console. LXC lets one client hold the console at a time; a second gets exit 1.
 * - `shell`: a root shell through `lxc-attach`, without any login (a separate permission).
 *
 * util-linux `script` allocates the pty and runs the LXC tool on its slave side; the tool sees
 * a terminal, puts it in raw mode and proxies to a pty inside the container, so line editing,
 * echo and job control behave as over SSH. Node only talks to script's stdin/stdout pipes.
 * Resizing sets the size of script's pty slave with `stty -F`; the kernel then sends SIGWINCH
 * to the tool, which forwards the new size into the container.
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

/** What a session connects to: the guest's login console or a root shell. */
export type ConsoleMode = 'console' | 'shell';

/** Options of a console session. */
export interface AttachOptions {
  mode: ConsoleMode;
  lxcPath: string;
  /** The container's name, which is our server id. */
  name: string;
  cols: number;
  rows: number;
  /** The login shell to run in the guest (shell mode). */
  shell?: string;
}

/** The LXC command line run inside script's pty, for one mode. */
function toolCommand(o: AttachOptions): string {
  const target = `-P ${sq(o.lxcPath)} -n ${sq(o.name)}`;
  if (o.mode === 'console') {
    // -e -1: no escape key, so Ctrl+A reaches the guest; stderr is dropped, because LXC's
    // "Denied access to tty" for a taken console would land in the terminal (exit 1 says it).
    return `exec lxc-console ${target} -t 0 -e -1 2>/dev/null`;
  }
  return [
    `exec lxc-attach ${target}`,
    // A clean environment: the control plane's variables (paths, secrets) must not leak in.
    '--clear-env --set-var TERM=xterm-256color --set-var HOME=/root',
    '--set-var PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `-- ${sq(o.shell ?? '/bin/sh')} -l`,
  ].join(' ');
}

/** Starts the mode's LXC tool for the container behind a pty. */
export function attachPty(o: AttachOptions): AttachPty {
  const inner = [
    // Raw before the tool starts (it would set raw itself, a moment later): keystrokes that
    // arrive early must not be echoed by our pty's line discipline as well as by the guest's.
    // The initial size is set here too, so the first prompt already fits.
    `stty raw -echo rows ${o.rows} cols ${o.cols} 2>/dev/null;`,
    toolCommand(o),
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

  // lxc-console sets up its terminal with TCSAFLUSH, which drops whatever was typed before:
  // input is held back until it waits in its main loop (console mode only; lxc-attach keeps it).
  let held: string[] | null = o.mode === 'console' ? [] : null;
  if (held) {
    void untilWaiting(child.pid, 'lxc-console').then(() => {
      const early = held ?? [];
      held = null;
      for (const d of early) if (!exited) child.stdin.write(d);
    });
  }

  return {
    write(data) {
      if (exited) return;
      if (held) held.push(data);
      else child.stdin.write(data);
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
      // Closing script's side hangs up the pty, which ends the tool (and, for a shell, the shell).
      if (!exited) child.kill('SIGTERM');
    },
  };
}

/**
 * Resolves once script's child is `tool` blocked in epoll_wait (its main loop), or after a
 * bound: the kernel may hide wchan, and input must flow in the end either way.
 */
async function untilWaiting(scriptPid: number | undefined, tool: string, boundMs = 3000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (scriptPid && Date.now() < deadline) {
    const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
      const wchan = await readFile(`/proc/${pid}/wchan`, 'utf8').catch(() => '');
      if (comm === tool && wchan === 'do_epoll_wait') return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pty slave that script's child (the LXC tool) has as stdin. */
async function slaveTty(scriptPid: number | undefined): Promise<string | null> {
  if (!scriptPid) return null;
  const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
  for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
    const target = await readlink(`/proc/${pid}/fd/0`).catch(() => '');
    if (target.startsWith('/dev/pts/')) return target;
  }
  return null;
}
