/**
 * Filesystems on volumes: made with the mkfs of each format, told apart with blkid, grown
 * with the format's own tool. Shared by every local backend.
 */
import type { VolumeFormat } from '../../types.ts';
import { run } from '../exec.ts';

/** Formats `device` (a block device or an image file) with `format`, its root owned by `owner`. */
export async function makeFilesystem(device: string, format: VolumeFormat, owner: number): Promise<void> {
  if (format === 'ext4') {
    // Lazy init keeps mkfs at milliseconds on a sparse file; -m 0 because the guest is the only user.
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', `lazy_itable_init=1,lazy_journal_init=1,root_owner=${owner}:${owner}`, device]);
  } else {
    // mkfs.xfs has no root_owner; the root directory is handed to the guest's root at mount time.
    await run('mkfs.xfs', ['-q', '-f', device]);
  }
}

/**
 * Grows the filesystem on `device` to fill the device: mounted at `mountPoint`, or unmounted
 * (null; ext4 only — xfs grows only while mounted).
 */
export async function growFilesystem(device: string, mountPoint: string | null, format: VolumeFormat): Promise<void> {
  if (format === 'xfs') {
    if (!mountPoint) throw new Error('xfs grows only while mounted');
    await run('xfs_growfs', [mountPoint]);
    return;
  }
  if (!mountPoint) {
    // resize2fs refuses an unmounted filesystem that was not checked since its last mount;
    // e2fsck's exit code 1 means "errors corrected", which is fine to grow.
    const r = await run('e2fsck', ['-f', '-p', device], { allowFail: true });
    if (r.code > 1) throw new Error(`e2fsck ${device} exited ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`);
  }
  // Online, the kernel grows ext4 itself (EXT4_IOC_RESIZE_FS, which needs CAP_SYS_RESOURCE).
  await run('resize2fs', [device]);
}

/** The filesystem on `device` as blkid reads it; null for none or one we do not make. */
export async function detectFormat(device: string): Promise<VolumeFormat | null> {
  // Exit code 2 is blkid's "nothing found"; -p probes the device itself instead of its cache.
  const r = await run('blkid', ['-p', '-o', 'value', '-s', 'TYPE', device], { allowFail: true });
  const type = r.stdout.trim();
  return type === 'ext4' || type === 'xfs' ? type : null;
}
