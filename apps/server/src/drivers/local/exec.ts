import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BrokerAnswer, BrokerRequest } from './exec-broker.ts';

/** What a finished host command printed and how it exited. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options for `run`: stdin text, and whether a non-zero exit is an answer rather than an error. */
export interface RunOptions {
  input?: string;
  allowFail?: boolean;
  timeoutMs?: number;
}

/** Error of a host command that exited non-zero; carries what it printed so callers can report it. */
export class CommandError extends Error {
  readonly result: RunResult;
  constructor(cmd: string, args: string[], result: RunResult) {
    super(`${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'CommandError';
    this.result = result;
  }
}

/**
 * Runs a host command with an argument vector (never a shell string) and collects its output.
 * The command is started by the broker (exec-broker.ts), so that its start does not block this
 * process's event loop.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const t0 = TRACE_COMMANDS ? performance.now() : 0;
  const request = { cmd, args, timeoutMs: opts.timeoutMs ?? 120_000, env: process.env, cwd: process.cwd(), ...(opts.input === undefined ? {} : { input: opts.input }) };
  return broker()
    .ask(request)
    .then((result) => {
      if (result.code !== 0 && !opts.allowFail) throw new CommandError(cmd, args, result);
      return result;
    })
    .finally(() => {
      if (TRACE_COMMANDS) console.error(`kumulus: trace command ${(performance.now() - t0).toFixed(1)} ms: ${cmd} ${args.join(' ').slice(0, 160)}`);
    });
}

type Broker = { ask(r: Omit<BrokerRequest, 'id'>): Promise<RunResult> };
let current: Broker | null = null;

/** The running broker, started at the first command and again after it died. */
function broker(): Broker {
  if (current) return current;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', fileURLToPath(new URL('./exec-broker.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, { resolve: (r: RunResult) => void; reject: (e: Error) => void }>();
  let next = 1;
  // The broker keeps this process alive only while a command runs, as a child of our own would.
  const hold = (on: boolean) => {
    for (const s of [child.stdout as Socket, child.stdin as unknown as Socket]) on ? s.ref() : s.unref();
  };
  child.unref();
  hold(false);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const a = JSON.parse(line) as BrokerAnswer;
    const p = pending.get(a.id);
    if (!p) return;
    pending.delete(a.id);
    if (!pending.size) hold(false);
    if ('error' in a) p.reject(Object.assign(new Error(a.error.message), a.error));
    else p.resolve({ stdout: a.stdout, stderr: a.stderr, code: a.code });
  });
  const gone = (why: string) => {
    if (current === self) current = null;
    for (const p of pending.values()) p.reject(new Error(`the command broker ${why}`));
    pending.clear();
  };
  // 'close', not 'exit': answers still in the pipe are read before the rest are failed.
  child.on('close', (code, signal) => gone(`exited (${signal ?? code})`));
  child.on('error', (e) => gone(`failed: ${e.message}`));
  child.stdin.on('error', () => {}); // a dead broker is reported by its exit
  const self: Broker = {
    ask(r) {
      return new Promise<RunResult>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        if (pending.size === 1) hold(true);
        child.stdin.write(`${JSON.stringify({ id, ...r })}\n`);
      });
    },
  };
  current = self;
  return self;
}

/** KUMULUS_TRACE=commands prints every command the engine runs, with its time (see lib/trace.ts). */
const TRACE_COMMANDS = /\bcommands\b/.test(process.env.KUMULUS_TRACE ?? '');
