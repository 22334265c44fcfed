import { spawn } from 'node:child_process';

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

/** Runs a host command with an argument vector (never a shell string) and collects its output. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const t0 = TRACE_COMMANDS ? performance.now() : 0;
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { stdout, stderr, code: code ?? (signal ? 128 : 1) };
      if (result.code !== 0 && !opts.allowFail) reject(new CommandError(cmd, args, result));
      else resolve(result);
    });
    if (opts.input !== undefined) {
      // A command that exits before reading its input (nsenter into a namespace just gone) answers by its exit
      // code; the EPIPE of our write would otherwise be an uncaught error that takes the process down.
      child.stdin?.on('error', () => {});
      child.stdin?.end(opts.input);
    }
  }).finally(() => {
    if (TRACE_COMMANDS) console.error(`kumulus: trace command ${(performance.now() - t0).toFixed(1)} ms: ${cmd} ${args.join(' ').slice(0, 160)}`);
  });
}

/** KUMULUS_TRACE=commands prints every command the engine runs, with its time (see lib/trace.ts). */
const TRACE_COMMANDS = /\bcommands\b/.test(process.env.KUMULUS_TRACE ?? '');
