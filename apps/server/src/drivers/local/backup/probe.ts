/**
 * Health and space of a backup target: a directory's filesystem (statfs), or the remote
 * filesystem an SFTP server reports (OpenSSH's statvfs extension, the sftp client's `df`).
 */
import { mkdir, statfs } from 'node:fs/promises';
import type { BackupTargetProbe, BackupTargetSpec } from '../../backup-types.ts';
import { run } from '../exec.ts';
import type { BackupFiles } from './files.ts';

/** Makes the target's directory when it is missing and reads its space. */
export async function probeTarget(files: BackupFiles, spec: BackupTargetSpec): Promise<BackupTargetProbe> {
  try {
    if (spec.kind === 'dir') {
      await mkdir(spec.path, { recursive: true, mode: 0o700 });
      const s = await statfs(spec.path);
      return { reachable: true, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    }
    if (!files.hasSecrets(spec.id)) return { reachable: false, totalBytes: null, freeBytes: null, error: 'the target has no SSH key configured' };
    // A leading "-" lets the batch go on when the directory exists already.
    const r = await run('sftp', ['-b', '-', ...files.sftpOptions(spec)], { input: `-mkdir ${spec.path}\ndf ${spec.path}\n`, timeoutMs: 30_000 });
    // "df" prints a header and then: Size Used Avail (root) %Capacity, in KiB.
    const line = r.stdout.split('\n').find((l) => /^\s*\d+\s+\d+\s+\d+\s+\d+/.test(l));
    if (!line) return { reachable: true, totalBytes: null, freeBytes: null };
    const [size, , avail] = line.trim().split(/\s+/).map(Number);
    return { reachable: true, totalBytes: (size ?? 0) * 1024, freeBytes: (avail ?? 0) * 1024 };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    return { reachable: false, totalBytes: null, freeBytes: null, error: text.slice(0, 500) };
  }
}
