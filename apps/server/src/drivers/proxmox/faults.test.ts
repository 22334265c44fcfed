// With 20 % of requests meeting an injected fault (500, 595, 596, hangs, lost answers, failed tasks, tasks not
// yet visible, a node going away, a vmid taken between nextid and create), every operation ends done or failed
// with a reason, and no server ever has two guests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_KINDS } from '@kumulus/pve-emulator';
import type { InstanceSpec, TaskRef } from '../types.ts';
import { makeProxmoxTestEngine, type ProxmoxTestEngine } from './test-harness.ts';

type Outcome = { status: 'done' } | { status: 'failed'; reason: string };

describe('proxmox driver under 20 % injected faults', () => {
  let t: ProxmoxTestEngine;
  let image = '';
  let maxGuestsPerId = 0;
  before(async () => {
    t = await makeProxmoxTestEngine({ taskMs: 5 }, { timeoutMs: 400 });
    image = await t.engine.images.prepare('debian-12');
    t.emulator.faults.set({ rate: 0.2, kinds: [...FAULT_KINDS], seed: 20261201, hangMs: 600, nodeDownMs: 150 });
  });
  after(async () => {
    await t?.cleanup();
  });

  const twins = (id: string) => {
    maxGuestsPerId = Math.max(maxGuestsPerId, t.guestsOf(id).length);
  };

  /**
   * One operation the way the server reconciler runs it: a stored task is polled first, then the world is
   * looked at and the next step taken; failures are retried with backoff until the attempts run out.
   */
  async function converge(id: string, want: 'stopped' | 'running' | 'absent', step: () => Promise<TaskRef | null>): Promise<Outcome> {
    let task: TaskRef | null = null;
    let lastError = '';
    for (let attempt = 0; attempt < 40; attempt++) {
      twins(id);
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
        const seen = await t.engine.compute.inspect(id);
        const state = seen?.state ?? 'absent';
        if (state === want && !seen?.detail) return { status: 'done' };
        task = await step();
      } catch (err) {
        lastError = (err as Error).message;
        await sleep(Math.min(200, 5 * 2 ** Math.min(attempt, 5)));
      }
    }
    return { status: 'failed', reason: lastError || 'did not converge' };
  }

  test('create, start, stop and destroy of 12 servers each end done or failed with a reason; no twins', async (tc) => {
    const outcomes: Outcome[] = [];
    const specs: InstanceSpec[] = Array.from({ length: 12 }, (_, i) => ({
      id: `srv_fault${i.toString(36)}`,
      kind: 'container',
      hostname: `fault-${i}`,
      image,
      vcpus: 1,
      memoryMb: 256,
      diskGb: 2,
      sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKumulusTestKey test@kumulus'],
      nics: [{ id: `nic_f${i}`, link: 'vmbr0', mac: `02:00:0a:fa:01:${(16 + i).toString(16)}`, ipv4: `10.250.1.${10 + i}/24`, gateway: '10.250.1.1' }],
    }));
    await Promise.all(
      specs.map(async (sp) => {
        const c = t.engine.compute;
        outcomes.push(await converge(sp.id, 'stopped', () => c.create(sp)));
        outcomes.push(await converge(sp.id, 'running', () => c.start(sp.id)));
        outcomes.push(await converge(sp.id, 'stopped', () => c.stop(sp.id, { force: false })));
        outcomes.push(await converge(sp.id, 'absent', () => c.destroy(sp.id)));
      }),
    );
    const injected = t.emulator.faults.injected;
    tc.diagnostic(`faults injected: ${JSON.stringify(injected)}; failed: ${JSON.stringify(outcomes.filter((o) => o.status === 'failed'))}`);
    assert.ok(Object.values(injected).reduce((a, b) => a + b, 0) > 20, `faults were injected: ${JSON.stringify(injected)}`);
    assert.equal(outcomes.length, 48);
    for (const o of outcomes) if (o.status === 'failed') assert.ok(o.reason.length > 0, 'a failure says why');
    const done = outcomes.filter((o) => o.status === 'done').length;
    assert.ok(done >= 40, `most operations converge: ${done} of 48 (${JSON.stringify(outcomes.filter((o) => o.status === 'failed'))})`);
    assert.equal(maxGuestsPerId, 1, 'no server ever had two guests');
    // Without faults, whatever is left converges away.
    t.emulator.faults.set({ rate: 0, kinds: [] });
    for (const n of t.emulator.state.nodes.values()) n.online = true;
    for (const sp of specs) assert.deepEqual(await converge(sp.id, 'absent', () => t.engine.compute.destroy(sp.id)), { status: 'done' });
    for (const sp of specs) assert.equal(t.guestsOf(sp.id).length, 0);
  });

  test('a vmid taken between nextid and create is retried with the next one; a failed create task leaves nothing', async () => {
    const sp: InstanceSpec = { id: 'srv_collide', kind: 'container', hostname: 'collide', image, vcpus: 1, memoryMb: 128, diskGb: 1, sshKeys: [], nics: [] };
    t.emulator.faults.set({ rate: 1, kinds: ['collision'], limit: 2 });
    const ref = await t.engine.compute.create(sp);
    t.emulator.faults.set({ rate: 0, kinds: [] });
    assert.ok(ref, 'a task to wait on');
    assert.ok((t.emulator.faults.injected.collision ?? 0) >= 1, 'the id offered was taken by someone else');
    assert.deepEqual(await converge(sp.id, 'stopped', () => t.engine.compute.create(sp)), { status: 'done' });
    assert.equal(t.guestsOf(sp.id).length, 1);
    assert.deepEqual(await converge(sp.id, 'absent', () => t.engine.compute.destroy(sp.id)), { status: 'done' });

    const failing: InstanceSpec = { ...sp, id: 'srv_taskfail', hostname: 'taskfail' };
    t.emulator.faults.set({ rate: 1, kinds: ['taskfail'] });
    const r = await t.engine.compute.create(failing);
    t.emulator.faults.set({ rate: 0, kinds: [] });
    let state = await t.engine.compute.task(r!);
    while (!state.done) state = await t.engine.compute.task(r!);
    assert.match(state.error ?? '', /injected fault/, 'the task error is the reason');
    assert.equal(await t.engine.compute.inspect(failing.id), null, 'the failed create left no guest');
  });
});
