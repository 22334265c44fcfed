import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { storageConformance } from '../../../test/conformance/storage.ts';
import { lxcAttach } from './lxc.ts';
import { loopsOf } from './mounts.ts';
import { makeLocalTestEngine } from './test-harness.ts';

/** Mount points anywhere on the host whose source or target names the volume. */
async function mountsNaming(id: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter((l) => l.includes(id));
}

// The shared storage suite against the dir backend: sparse files on the host's filesystem.
storageConformance('dir', async () => {
  const t = await makeLocalTestEngine();
  return {
    engine: t.engine,
    cleanup: t.cleanup,
    exec: (instance, argv) => lxcAttach(t.lxcPath, instance, argv),
    async leftovers(id) {
      const file = join(t.root, 'volumes', `${id}.img`);
      return [
        ...(existsSync(file) ? [file] : []),
        ...(await loopsOf(file)),
        ...(existsSync(join(t.root, 'volume-mounts', id)) ? [join(t.root, 'volume-mounts', id)] : []),
        ...(await mountsNaming(id)),
      ];
    },
  };
});
