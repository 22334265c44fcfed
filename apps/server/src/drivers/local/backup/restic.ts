/**
 * restic, run as a child process per call: one repository per tenant and target, opened with
 * the tenant's key file. Chunking, deduplication, encryption and integrity checks are restic's;
 * this file only builds its command lines and reads its JSON.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { BackupRepo } from '../../backup-types.ts';
import type { BackupFiles } from './files.ts';

/** A restic command that exited non-zero, with what it printed. */
export class ResticError extends Error {
  override readonly name = 'ResticError';
  readonly code: number;
  readonly stderr: string;
  constructor(args: string[], code: number, stderr: string) {
    super(`restic ${args[0]} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    this.code = code;
    this.stderr = stderr;
  }
}

/** One restic snapshot as `restic snapshots --json` lists it. */
export interface ResticSnapshot {
  id: string;
  time: string;
  tags?: string[];
  paths: string[];
}

/** Options of one restic call: data to feed it, and where its stdout goes when it is not collected. */
interface CallOptions {
  stdin?: Readable;
  stdout?: Writable;
  /** Runs restic in the idle I/O class (verification, which must not slow production disks). */
  lowPriority?: boolean;
}

/** restic calls bound to the engine's files (keys, SSH settings, cache). */
export function createRestic(files: BackupFiles) {
  /** The repository's location and the options that reach it. */
  function location(repo: BackupRepo): { url: string; options: string[] } {
    const t = repo.target;
    const dir = `${t.path.replace(/\/+$/, '')}/${files.checkName(repo.tenantId)}`;
    if (t.kind === 'dir') return { url: `local:${dir}`, options: [] };
    // restic splits sftp.command at spaces; the engine's own paths have none (checked in files.ts).
    const ssh = ['ssh', ...files.sshOptions(t), '-s', 'sftp'].join(' ');
    return { url: `sftp:${t.user}@${t.host}:${dir}`, options: ['-o', `sftp.command=${ssh}`] };
  }

  /** Runs restic on the repository; answers its stdout (unless piped elsewhere). */
  async function call(repo: BackupRepo, args: string[], opts: CallOptions = {}): Promise<string> {
    const key = await files.tenantKey(repo.tenantId);
    const { url, options } = location(repo);
    const full = [...args, '--repo', url, '--password-file', key, '--cache-dir', files.cacheDir, ...options];
    return new Promise((resolve, reject) => {
      const [cmd, argv] = opts.lowPriority ? ['ionice', ['-c', '3', 'nice', '-n', '10', 'restic', ...full]] : ['restic', full];
      const child = spawn(cmd as string, argv as string[], { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, RESTIC_PROGRESS_FPS: '0.2' } });
      let out = '';
      let err = '';
      if (opts.stdout) child.stdout?.pipe(opts.stdout);
      else
        child.stdout?.setEncoding('utf8').on('data', (d: string) => {
          out += d;
        });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        err = (err + d).slice(-8000);
      });
      if (opts.stdin && child.stdin) {
        opts.stdin.on('error', (e) => {
          child.kill('SIGKILL');
          reject(e);
        });
        child.stdin.on('error', () => {}); // restic ending early is reported by its exit code
        opts.stdin.pipe(child.stdin);
      }
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new ResticError(args, code ?? 1, err))));
    });
  }

  /**
   * Repositories being made, by URL. Two inits racing on one repository each write a key of their
   * own master key and one of them the config: the repository then opens with the wrong key and
   * reads as damaged for good. So the first backups of a tenant's servers wait for one init.
   */
  const making = new Map<string, Promise<void>>();
  async function ensureRepo(repo: BackupRepo): Promise<void> {
    const exists = await call(repo, ['cat', 'config']).then(
      () => true,
      () => false,
    );
    if (exists) return;
    await call(repo, ['init']).catch(async (e: unknown) => {
      // Another control plane's init (a second process on the same target) may have won.
      if (!(await call(repo, ['cat', 'config']).then(() => true, () => false))) throw e;
    });
  }

  return {
    /** Makes the repository unless it exists; calls for one repository run one after another. */
    ensureRepo(repo: BackupRepo): Promise<void> {
      const { url } = location(repo);
      const next = (making.get(url) ?? Promise.resolve()).catch(() => {}).then(() => ensureRepo(repo));
      making.set(url, next);
      return next.finally(() => {
        if (making.get(url) === next) making.delete(url);
      });
    },
    /** Removes locks that dead restic processes left (a killed backup). */
    unlock: (repo: BackupRepo) => call(repo, ['unlock']).then(() => undefined),
    /** Snapshots carrying every tag given. */
    async snapshots(repo: BackupRepo, tags: string[]): Promise<ResticSnapshot[]> {
      return JSON.parse((await call(repo, ['snapshots', '--json', '--tag', tags.join(',')])) || '[]') ?? [];
    },
    /** Backs `data` up as one file `name` with the tags; answers the snapshot id and the bytes added after deduplication. */
    async backupStream(repo: BackupRepo, name: string, tags: string[], data: Readable): Promise<{ snapshotId: string; addedBytes: number }> {
      const out = await call(repo, ['backup', '--json', '--host', 'kumulus', '--stdin', '--stdin-filename', name, '--tag', tags.join(',')], { stdin: data });
      const summary = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { message_type: string; snapshot_id?: string; data_added?: number })
        .find((m) => m.message_type === 'summary');
      if (!summary?.snapshot_id) throw new Error(`restic backup of ${name} printed no summary`);
      return { snapshotId: summary.snapshot_id, addedBytes: summary.data_added ?? 0 };
    },
    /** Writes the file `name` of a snapshot to `to`. */
    dump: (repo: BackupRepo, snapshotId: string, name: string, to: Writable, lowPriority = false) => call(repo, ['dump', snapshotId, `/${name}`], { stdout: to, lowPriority }).then(() => undefined),
    /** Reads a small file of a snapshot (the manifest). */
    cat: (repo: BackupRepo, snapshotId: string, name: string) => call(repo, ['dump', snapshotId, `/${name}`]),
    /** Forgets snapshots and removes the data no other snapshot uses. */
    async forget(repo: BackupRepo, ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await call(repo, ['forget', '--prune', ...ids]);
    },
    /**
     * Checks the repository's structure (indexes, trees, pack headers). Without a lock: restic 0.14's
     * check wants the repository to itself, and a backup or delete of the same tenant must not fail it.
     */
    check: (repo: BackupRepo) => call(repo, ['check', '--no-lock']),
    call,
  };
}

/** restic calls. */
export type Restic = ReturnType<typeof createRestic>;
