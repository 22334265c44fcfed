/**
 * Thin wrappers around the lxc-* tools. Every call names the lxcpath explicitly so that
 * parallel test runs with their own lxcpath never see each other's containers.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermanentEngineError } from '../types.ts';
import { CommandError, run } from './exec.ts';

/** State of a container as lxc-info reports it, with its init PID when running. */
export interface LxcState {
  state: string;
  pid: number | null;
}

/** Reads a container's state; null when no container of that name exists under lxcPath. */
export async function lxcInfo(lxcPath: string, name: string): Promise<LxcState | null> {
  // lxc-info answers "doesn't exist" with the same exit code as other failures, so look at
  // the config file first: a directory without a config is not a container to LXC either.
  if (!existsSync(join(lxcPath, name, 'config'))) return null;
  const r = await run('lxc-info', ['-P', lxcPath, '-n', name, '-H', '-s', '-p'], { allowFail: true });
  if (r.code !== 0) {
    if (!existsSync(join(lxcPath, name, 'config'))) return null;
    const err = new CommandError('lxc-info', ['-P', lxcPath, '-n', name], r);
    // LXC could not parse the config or find a file it includes: the next try reads the same file.
    if (/Failed to load config/.test(r.stderr)) throw new PermanentEngineError(err.message);
    throw err;
  }
  // Output is "State:   RUNNING\nPID:   1234" (-H only drops the units from numbers).
  const state = /^State:\s*(\S+)/m.exec(r.stdout)?.[1] ?? 'UNKNOWN';
  const pid = /^PID:\s*(\d+)/m.exec(r.stdout)?.[1];
  return { state, pid: pid ? Number(pid) : null };
}

/** Names of all containers under lxcPath. */
export async function lxcList(lxcPath: string): Promise<string[]> {
  if (!existsSync(lxcPath)) return [];
  const r = await run('lxc-ls', ['-P', lxcPath, '-1']);
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

/**
 * Starts a container in the background; lxc-start -d returns once init runs (or failed).
 * The log level is ERROR unless KUMULUS_LXC_LOG_LEVEL says otherwise (TRACE to debug).
 */
export async function lxcStart(lxcPath: string, name: string): Promise<void> {
  const log = join(lxcPath, name, 'lxc.log');
  const r = await run('lxc-start', ['-P', lxcPath, '-n', name, '-d', '-l', process.env.KUMULUS_LXC_LOG_LEVEL ?? 'ERROR', '-o', log], {
    allowFail: true,
  });
  if (r.code === 0) return;
  // The tool itself only says "failed to start"; the reason is in the log file.
  const detail = await readFile(log, 'utf8').catch(() => '');
  const tail = detail.trim().split('\n').slice(-6).join('\n');
  throw new Error(`lxc-start ${name} failed: ${r.stderr.trim()}\n${tail}`);
}

/**
 * Stops a container: `kill` sends SIGKILL at once; otherwise the image's halt signal, then
 * SIGKILL after `timeoutS` unless `nokill` (then the call just returns when time is up).
 */
export async function lxcStop(
  lxcPath: string,
  name: string,
  opts: { kill: boolean; timeoutS?: number; nokill?: boolean },
): Promise<void> {
  const args = ['-P', lxcPath, '-n', name];
  if (opts.kill) args.push('-k');
  else args.push('-t', String(opts.timeoutS ?? 30), ...(opts.nokill ? ['--nokill'] : []));
  // Exit code 2 means "not running", which is what we wanted anyway; with --nokill a
  // timeout is exit code 1, and the caller looks at the state itself.
  const r = await run('lxc-stop', args, { allowFail: true });
  if (r.code !== 0 && r.code !== 2 && !opts.nokill) throw new CommandError('lxc-stop', args, r);
}

/** Sends the container's reboot signal and returns without waiting; false when LXC refused. */
export async function lxcRequestReboot(lxcPath: string, name: string): Promise<boolean> {
  const r = await run('lxc-stop', ['-P', lxcPath, '-n', name, '-r', '-t', '0'], { allowFail: true });
  return r.code === 0;
}

/** Waits until the container reaches `state`; false on timeout. */
export async function lxcWait(lxcPath: string, name: string, state: string, timeoutS: number) {
  const r = await run('lxc-wait', ['-P', lxcPath, '-n', name, '-s', state, '-t', String(timeoutS)], {
    allowFail: true,
  });
  return r.code === 0;
}

/** Runs a command inside a running container (used by tests and the guest checks). */
export async function lxcAttach(lxcPath: string, name: string, argv: string[]) {
  return run('lxc-attach', ['-P', lxcPath, '-n', name, '--clear-env', '--', ...argv], { allowFail: true });
}
