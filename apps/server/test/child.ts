/**
 * A control plane in a child process, for the tests that kill it with SIGKILL and start it
 * again on the same data dir (apps/server/test/fixtures/serve-child.ts runs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { KumulusClient } from '@kumulus/api';

const CHILD = join(import.meta.dirname, 'fixtures', 'serve-child.ts');

/** Starts `serve(opts)` in a child process and answers once it listens, with a client for its bootstrap token. */
export async function startChild(opts: object): Promise<{ child: ChildProcess; url: string; client: KumulusClient }> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`control plane exited with ${code} before listening`)));
  });
  return { child, url, client: new KumulusClient({ baseUrl: url, token: (opts as { bootstrapToken?: string }).bootstrapToken }) };
}

/** Resolves with the child's exit code once it has exited (at once if it already has). */
export const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (code) => r(code))));
