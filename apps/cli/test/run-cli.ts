/**
 * Runs the real `bin/kumulus` as a subprocess, the way a script would, and captures what it says.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The wrapper under test, not main.ts: the tests cover what users actually run. */
export const kumulusBin = fileURLToPath(new URL('../../../bin/kumulus', import.meta.url));

/** What one run of the CLI produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kumulus ...args` with the given environment (added to a clean one) and standard input. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  // A clean environment: the developer's own ~/.config/kumulus or KUMULUS_* must not leak in.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...opts.env };
  return new Promise((resolve, reject) => {
    const child = spawn(kumulusBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Parses stdout as JSON, saying what it was when it is not. */
export function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
