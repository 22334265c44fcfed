/**
 * A Proxmox engine against a fresh emulator on loopback, for tests and benchmarks: pinned to the emulator's
 * certificate, with what tests need to change the cluster behind the driver's back.
 */
import { type EmulatorOptions, type EmuGuest, PveEmulator } from '@kumulus/pve-emulator';
import type { Engine } from '../types.ts';
import type { PveClient } from './client.ts';
import { ownerOf } from './guests.ts';
import { createProxmoxEngine, type ProxmoxEngineOptions } from './index.ts';

/** An engine, its emulator, and hands behind its back. */
export interface ProxmoxTestEngine {
  engine: Engine & { client: PveClient };
  emulator: PveEmulator;
  /** The guests carrying a server id's tag (more than one would be a twin). */
  guestsOf(id: string): EmuGuest[];
  killBehindBack(id: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Starts an emulator and an engine pinned to it; `cleanup` must run in `after()`. */
export async function makeProxmoxTestEngine(emu: EmulatorOptions = {}, engine: Partial<ProxmoxEngineOptions> = {}): Promise<ProxmoxTestEngine> {
  const emulator = new PveEmulator({ nodes: 2, ...emu });
  const { url, fingerprint } = await emulator.listen('127.0.0.1', 0);
  const e = createProxmoxEngine({ url, tokenId: 'kumulus@pve!kumulus', tokenSecret: '00000000-0000-4000-8000-000000000000', fingerprint, timeoutMs: 5_000, watchMs: 200, ...engine });
  const guestsOf = (id: string) => [...emulator.state.guests.values()].filter((g) => ownerOf(g.config.tags) === id);
  return {
    engine: e,
    emulator,
    guestsOf,
    async killBehindBack(id) {
      for (const g of guestsOf(id)) g.status = 'stopped';
    },
    async cleanup() {
      await e.client.close();
      await emulator.close();
    },
  };
}
