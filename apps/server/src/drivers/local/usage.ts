/** The local engine's usage facet: each running container's cgroup counters. */
import { readFile } from 'node:fs/promises';
import type { InstanceUsage, UsageDriver } from '../types.ts';
import { type CgroupRoot, hostCgroupRoot, readCgroupUsage } from './cgroup-usage.ts';
import { lxcInfo } from './lxc.ts';

/** Creates the usage facet over one lxcPath. */
export function createLocalUsage(lxcPath: string, at: CgroupRoot = hostCgroupRoot()): UsageDriver {
  return {
    async instances(ids) {
      const out = new Map<string, InstanceUsage>();
      for (const id of ids) {
        const info = await lxcInfo(lxcPath, id).catch(() => null);
        if (!info?.pid) continue;
        try {
          out.set(id, await readCgroupUsage(await readFile(`/proc/${info.pid}/cgroup`, 'utf8'), at));
        } catch {
          // The container stopped between lxc-info and the read: it has no usage to report now.
        }
      }
      return out;
    },
  };
}
