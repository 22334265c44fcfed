/**
 * Observing every container of an lxcpath at once: one `lxc-ls` for a full look, and one
 * long-running `lxc-monitor` whose state-change events say which container to look at again —
 * instead of an lxc-info process per server on every resync.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { run } from './exec.ts';

/** State and init PID of each container under lxcPath, from one lxc-ls. */
export async function lxcObserveAll(lxcPath: string): Promise<Map<string, { state: string; pid: number | null }>> {
  const out = new Map<string, { state: string; pid: number | null }>();
  if (!existsSync(lxcPath)) return out;
  const r = await run('lxc-ls', ['-P', lxcPath, '-f', '-F', 'NAME,STATE,PID']);
  for (const line of r.stdout.split('\n').slice(1)) {
    const [name, state, pid] = line.trim().split(/\s+/);
    if (name && state) out.set(name, { state, pid: pid && /^\d+$/.test(pid) ? Number(pid) : null });
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
