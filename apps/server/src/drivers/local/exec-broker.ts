/**
 * The command broker: a small process that starts the engine's host commands for the control
 * plane. Starting a child copies the parent's page tables, and the control plane's own start blocks
 * its event loop for as long as that takes — about 1 ms per 20 MB resident, 10–20 ms a command
 * for a control plane of a few hundred MB. Here it costs a small process about 1.5 ms, off the
 * control plane's loop. Requests and answers are JSON lines on stdin/stdout (see exec.ts). The
 * broker leaves when its stdin closes, that is when the control plane is gone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One command to run: what `run()` in exec.ts was asked. */
export interface BrokerRequest {
  id: number;
  cmd: string;
  args: string[];
  input?: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** How it ended: its output and exit code, or the error that kept it from starting. */
export type BrokerAnswer =
  | { id: number; stdout: string; stderr: string; code: number }
  | { id: number; error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } };

function answer(a: BrokerAnswer): void {
  process.stdout.write(`${JSON.stringify(a)}\n`);
}

function start(r: BrokerRequest): void {
  const child = spawn(r.cmd, r.args, {
    stdio: [r.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: r.timeoutMs,
    killSignal: 'SIGKILL',
    env: r.env,
    cwd: r.cwd,
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.on('error', (e: NodeJS.ErrnoException) => {
    if (ended) return;
    ended = true;
    answer({ id: r.id, error: { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path } });
  });
  child.on('close', (code, signal) => {
    if (ended) return;
    ended = true;
    answer({ id: r.id, stdout, stderr, code: code ?? (signal ? 128 : 1) });
  });
  if (r.input !== undefined) {
    // A command that exits before reading its input answers by its exit code, not by our EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(r.input);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line) start(JSON.parse(line) as BrokerRequest);
});
process.stdin.on('end', () => process.exit(0));
