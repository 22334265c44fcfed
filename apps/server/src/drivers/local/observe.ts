/**
 * Observing every container of an lxcpath at once: a look at the lxcpath and the process table
 * for a full picture, and one long-running `lxc-monitor` whose state-change events say which
 * container to look at again — instead of an lxc-info process per server on every resync.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Which containers under lxcPath exist and which run, without a process per container or even
 * one at all: a container exists when its directory holds a config, and runs while LXC's monitor
 * process for it lives, which names itself `[lxc monitor] <lxcpath> <name>` (lxc-ls, by contrast,
 * asks each container's monitor over its socket in turn: seconds for a thousand).
 */
export function lxcObserveAll(lxcPath: string): Map<string, 'running' | 'stopped'> {
  const out = new Map<string, 'running' | 'stopped'>();
  if (!existsSync(lxcPath)) return out;
  for (const name of readdirSync(lxcPath)) if (existsSync(join(lxcPath, name, 'config'))) out.set(name, 'stopped');
  const prefix = `[lxc monitor] ${lxcPath} `;
  // Thousands of tiny procfs files: read synchronously, which costs a tenth of promise-based
  // reads and a few milliseconds in all.
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {} // the process ended meanwhile
    if (!cmdline.startsWith(prefix)) continue;
    const name = cmdline.slice(prefix.length).replace(/\0+$/, '');
    if (out.has(name)) out.set(name, 'running');
  }
  return out;
}

/** How long a monitor that died waits before it is started again. */
const RESTART_MS = 1000;

/**
 * Runs `lxc-monitor` over lxcPath and calls `onEvent(name, state)` for every state change
 * (`'srv_…' changed state to [STOPPED]`). The monitor is restarted if it dies; the answer stops it.
 */
export function watchLxc(lxcPath: string, onEvent: (name: string, state: string) => void): () => void {
  killOrphanedMonitors(lxcPath);
  let child: ChildProcess | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const startMonitor = () => {
    if (stopped) return;
    child = spawn('lxc-monitor', ['-P', lxcPath, '-n', '.*'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', () => {}); // a missing binary shows in the preflight; 'exit' restarts
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^'([^']+)' changed state to \[(\w+)\]/.exec(line);
      if (m) onEvent(m[1]!, m[2]!);
    });
    child.on('exit', () => {
      child = null;
      if (!stopped) timer = setTimeout(startMonitor, RESTART_MS);
    });
  };
  startMonitor();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    child?.kill();
  };
}

/**
 * A control plane killed with SIGKILL leaves its lxc-monitor behind (adopted by init, blocked
 * on a socket, not writing to its dead pipe until an event comes): the next one ends them.
 */
function killOrphanedMonitors(lxcPath: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      // One control plane owns an lxcpath (its data dir is locked), so any other's monitor is stale.
      if (argv[0]?.endsWith('lxc-monitor') && argv[2] === lxcPath && ppid !== String(process.pid)) process.kill(Number(pid));
    } catch {} // gone meanwhile
  }
}

/**
 * Runs `ip -o monitor link` and calls `onGone(name)` for every NIC host link (`kv…`) the kernel
 * deletes; restarted if it dies, like the LXC monitor. The answer stops it.
 */
export function watchLinkDeletions(onGone: (link: string) => void): () => void {
  let child: ChildProcess | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const startMonitor = () => {
    if (stopped) return;
    child = spawn('ip', ['-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', () => {});
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // "Deleted 42: kv0123456789ab@if41: <BROADCAST,…> …"
      const m = /^Deleted (?:\d+: )?(kv[0-9a-f]{12})[@:]/.exec(line);
      if (m) onGone(m[1]!);
    });
    child.on('exit', () => {
      child = null;
      if (!stopped) timer = setTimeout(startMonitor, RESTART_MS);
    });
  };
  startMonitor();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    child?.kill();
  };
}
