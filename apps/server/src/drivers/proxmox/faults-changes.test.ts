// Changes to existing servers under 20 % injected faults (500, 595, 596, hangs, lost answers, failed tasks, tasks
// not yet visible, a node going away): a NIC change, a resize, snapshots, a rollback and their removal each end
// as asked or failed with a reason, retried the way the reconciler retries, and leave no drift behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_KINDS } from '@kumulus/pve-emulator';
import { settle } from '../../../test/conformance/compute.ts';
import type { InstanceSpec, TaskRef } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

type Outcome = { status: 'done'; step?: string } | { status: 'failed'; reason: string; step?: string };

describe('proxmox driver: changes under 20 % injected faults', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 }, { timeoutMs: 1500 });
    image = await t.engine.images.prepare('debian-12');
  });
  after(async () => {
    await t?.cleanup();
  });

  /** Polls a stored task first, then looks whether the goal holds, else takes the step again (with backoff). */
  async function converge(goal: () => Promise<boolean>, step: () => Promise<TaskRef | null>): Promise<Outcome> {
    let task: TaskRef | null = null;
    let lastError = '';
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        if (task) {
          const s = await t.engine.compute.task(task);
          if (!s.done) {
            await sleep(10);
            continue;
          }
          task = null;
          if (s.error) throw new Error(`task failed: ${s.error}`);
        }
        if (await goal()) return { status: 'done' };
        task = await step();
      } catch (err) {
        lastError = (err as Error).message;
        await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)));
      }
    }
    return { status: 'failed', reason: lastError || 'did not converge' };
  }

  test('NIC changes, resizes, snapshots and rollbacks of 6 servers converge; nothing is left as drift', async (tc) => {
    const specs: InstanceSpec[] = Array.from({ length: 6 }, (_, i) => ({
      id: `srv_fchg${i}`,
      kind: 'container',
      hostname: `fchg-${i}`,
      image,
      vcpus: 1,
      memoryMb: 256,
      diskGb: 2,
      sshKeys: [],
      nics: [{ id: `nic_fc${i}`, link: 'vmbr0', mac: `02:00:0a:fa:06:${(16 + i).toString(16)}`, ipv4: `10.250.6.${10 + i}/24`, gateway: '10.250.6.1' }],
    }));
    for (const sp of specs) {
      await settle(t.engine, await t.engine.compute.create(sp));
      await settle(t.engine, await t.engine.compute.start(sp.id));
    }
    t.emulator.faults.set({ rate: 0.2, kinds: [...FAULT_KINDS], seed: 20261202, hangMs: 2000, nodeDownMs: 150 });
    const outcomes: Outcome[] = [];
    const gaveUp = new Set<string>();
    const config = (id: string) => t.guestsOf(id)[0]?.config ?? {};
    await Promise.all(
      specs.map(async (sp, i) => {
        const c = t.engine.compute;
        const st = t.engine.storage;
        const target = { kind: 'server' as const, id: sp.id };
        const mine: Outcome[] = [];
        const note = (step: string) => (o: Outcome) => {
          mine.push({ ...o, step });
          outcomes.push({ ...o, step });
        };
        const two = [...sp.nics, { id: `nic_fd${i}`, link: 'vmbr0', mac: `02:00:0a:fb:06:${(16 + i).toString(16)}`, ipv4: `10.251.6.${10 + i}/24` }];
        note('nics')(await converge(async () => config(sp.id).net1 !== undefined, () => c.setNics(sp.id, two)));
        note('snapshot')(await converge(async () => (await st.listSnapshots(target)).includes('snp_a') && !config(sp.id).lock, () => st.snapshot(target, 'snp_a')));
        note('resize')(await converge(async () => config(sp.id).memory === '512' && /size=4G/.test(config(sp.id).rootfs ?? ''), () => c.resize(sp.id, { vcpus: 2, memoryMb: 512, diskGb: 4 })));
        let rolled = false;
        note('rollback')(
          await converge(
            // Done when the rollback ran and what Kumulus set was put back (a call cut short after the rollback is retried).
            async () => rolled && config(sp.id).parent === 'snp_a' && !config(sp.id).lock && t.guestsOf(sp.id)[0]?.status === 'running' && (await c.inspect(sp.id))?.drift === undefined,
            async () => {
              const ref = await st.rollback(target, 'snp_a');
              rolled = true;
              return ref;
            },
          ),
        );
        note('remove')(await converge(async () => !(await st.listSnapshots(target)).includes('snp_a') && !config(sp.id).lock, () => st.removeSnapshot(target, 'snp_a')));
        if (mine.some((o) => o.status === 'failed')) gaveUp.add(sp.id);
      }),
    );
    const injected = t.emulator.faults.injected;
    tc.diagnostic(`faults injected: ${JSON.stringify(injected)}; failed: ${JSON.stringify(outcomes.filter((o) => o.status === 'failed'))}`);
    assert.ok(Object.values(injected).reduce((a, b) => a + b, 0) > 10, `faults were injected: ${JSON.stringify(injected)}`);
    for (const o of outcomes) if (o.status === 'failed') assert.ok(o.reason.length > 0, 'a failure says why');
    const done = outcomes.filter((o) => o.status === 'done').length;
    assert.ok(done >= 27, `most changes converge: ${done} of 30 (${JSON.stringify(outcomes.filter((o) => o.status === 'failed'))})`);
    t.emulator.faults.set({ rate: 0, kinds: [] });
    for (const n of t.emulator.state.nodes.values()) n.online = true;
    for (const sp of specs) {
      // Every change that ended took the record along: Kumulus's own changes are never drift. (One given up on
      // half-way may leave a difference, which is then rightly reported.)
      await converge(async () => !config(sp.id).lock, async () => null);
      if (!gaveUp.has(sp.id)) assert.equal((await t.engine.compute.inspect(sp.id))?.drift, undefined, `${sp.id}: ${JSON.stringify(config(sp.id))}`);
      assert.equal(t.guestsOf(sp.id).length, 1);
      await settle(t.engine, await t.engine.compute.destroy(sp.id));
    }
  });
});
