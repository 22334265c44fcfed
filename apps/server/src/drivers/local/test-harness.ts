/**
 * A local engine for tests: its own temp lxcPath, bridge and nftables table (so test files run
 * in parallel), and a cleanup that removes everything even after failed tests.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../types.ts';
import { createLocalEngine, type LocalEngineOptions } from './index.ts';
import { removeInstanceDir } from './instance-files.ts';
import { lxcList, lxcStop } from './lxc.ts';

/** A local engine in a sandbox of its own, with what tests need to look behind it. */
export interface LocalTestEngine {
  engine: Engine;
  lxcPath: string;
  bridge: string;
  nftTable: string;
  /** The sandbox's root: lxc/, volumes/ and volume-mounts/ live in it. */
  root: string;
  /** A /24 of its own per sandbox, so parallel runs never share addresses. */
  net: { cidr: string; gateway: string; prefix: string };
  cleanup(): Promise<void>;
  killBehindBack(id: string): Promise<void>;
}

/** Makes a sandboxed local engine; `cleanup` must run in `after()`. */
export async function makeLocalTestEngine(opts: Pick<LocalEngineOptions, 'storage'> = {}): Promise<LocalTestEngine> {
  const tag = randomBytes(4).toString('hex');
  // mkdtemp makes 0700 dirs; the containers' root (host uid 100000+) must traverse lxcPath.
  const root = await mkdtemp(join(tmpdir(), 'kumulus-lxc-'));
  await chmod(root, 0o755);
  const lxcPath = join(root, 'lxc');
  const bridge = `kt${tag}`;
  const nftTable = `kumulus_test_${tag}`;
  const third = 1 + (randomBytes(1)[0]! % 250);
  const prefix = `10.241.${third}`;
  const engine = createLocalEngine({ lxcPath, bridge, nftTable, imageCache: process.env.KUMULUS_IMAGE_CACHE, ...opts });
  return {
    engine,
    root,
    lxcPath,
    bridge,
    nftTable,
    net: { cidr: `${prefix}.0/24`, gateway: `${prefix}.1`, prefix },
    killBehindBack: (id) => lxcStop(lxcPath, id, { kill: true }),
    async cleanup() {
      const errors: unknown[] = [];
      const attempt = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (e) {
          errors.push(e);
        }
      };
      // Through the driver first, then by force for whatever a failed test left half-made.
      // Volumes go first: their mounts and loop devices must not outlive the guests' dirs.
      for (const id of await engine.storage.list().catch(() => [])) await attempt(() => engine.storage.destroy(id));
      for (const id of await engine.compute.list().catch(() => [])) await attempt(() => engine.compute.destroy(id));
      for (const name of await lxcList(lxcPath).catch(() => [])) await attempt(() => lxcStop(lxcPath, name, { kill: true }));
      for (const entry of await readdir(lxcPath).catch(() => [])) await attempt(() => removeInstanceDir(join(lxcPath, entry)));
      for (const id of await engine.network.listNetworks().catch(() => [])) await attempt(() => engine.network.removeNetwork(id));
      await attempt(() => engine.network.removeDefault());
      await attempt(async () => engine.firewall?.remove());
      await attempt(() => rm(root, { recursive: true, force: true }));
      if (errors.length > 0) throw new AggregateError(errors, 'test engine cleanup failed');
    },
  };
}
