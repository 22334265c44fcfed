/**
 * The `tiny` image: a busybox-static root filesystem built offline in well under a second.
 * Busybox init keeps the container running; the network is configured by LXC before init runs.
 */
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run } from './exec.ts';

/** Where Debian's busybox-static package puts its binary. */
const BUSYBOX = '/bin/busybox';

const INITTAB = `::sysinit:/etc/init.d/rcS
console::respawn:/sbin/getty -L 38400 console
tty1::respawn:/sbin/getty 38400 tty1
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
`;

const RCS = `#!/bin/sh
# LXC has mounted /proc, /sys and /dev and configured eth0 already.
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname -F /etc/hostname 2>/dev/null
`;

/** Fills `rootfs` (an empty directory) with the tiny image, owned by host root (shifted later). */
export async function buildTinyRootfs(rootfs: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc/init.d', 'proc', 'sys', 'dev', 'run', 'var/log']) {
    await mkdir(join(rootfs, d), { recursive: true });
  }
  await mkdir(join(rootfs, 'root'), { mode: 0o700 });
  await mkdir(join(rootfs, 'tmp'));
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const { stdout } = await run(BUSYBOX, ['--list-full']);
  for (const applet of stdout.split('\n').map((s) => s.trim())) {
    if (!applet || applet === 'bin/busybox') continue;
    await mkdir(dirname(join(rootfs, applet)), { recursive: true });
    await symlink('/bin/busybox', join(rootfs, applet)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  const files: [string, string, number][] = [
    ['etc/inittab', INITTAB, 0o644],
    ['etc/init.d/rcS', RCS, 0o755],
    ['etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n', 0o644],
    ['etc/group', 'root:x:0:\n', 0o644],
    // `*` locks the password until the instance sets one.
    ['etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o600],
    ['etc/hostname', 'tiny\n', 0o644],
    ['etc/hosts', '127.0.0.1 localhost\n', 0o644],
    ['etc/shells', '/bin/sh\n', 0o644],
  ];
  for (const [rel, content, mode] of files) {
    await writeFile(join(rootfs, rel), content);
    await chmod(join(rootfs, rel), mode);
  }
}
