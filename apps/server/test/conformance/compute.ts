/**
 * The compute conformance suite: the same tests run against every engine, asserting the state
 * of the world through the Engine interface only (create → start → reboot → stop → destroy,
 * idempotency of each call, list(), and an instance stopped behind the driver's back).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine, InstanceSpec, TaskRef } from '../../src/drivers/types.ts';

/** What an engine factory hands the suite; only `engine` and `cleanup` are required. */
export interface ConformanceSubject {
  engine: Engine;
  /** Removes everything the engine made; runs in `after()`, so also when tests failed. */
  cleanup(): Promise<void>;
  /** Default network for the instances' NIC; 10.250.0.0/24 unless given. */
  net?: { cidr: string; gateway: string };
  /** Image to clone; `tiny` unless given. */
  image?: string;
  /** What the instances are; `container` unless given (an engine's VMs run the same suite). */
  kind?: 'container' | 'vm';
  /** Stops an instance outside the driver (e.g. `lxc-stop -k`), to test drift is observed. */
  killBehindBack?(id: string): Promise<void>;
}

/** Waits for a mutation: immediate for sync engines, polls the task for async ones. */
export async function settle(engine: Engine, ref: TaskRef | null, timeoutMs = 120_000): Promise<void> {
  if (!ref) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await engine.compute.task(ref);
    if (s.done) {
      if (s.error) throw new Error(`task ${ref.id} failed: ${s.error}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`task ${ref.id} did not finish in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Registers the compute conformance tests for one engine. */
export function computeConformance(
  name: string,
  makeEngine: () => Promise<ConformanceSubject>,
): void {
  describe(`compute conformance: ${name}`, () => {
    let s: ConformanceSubject;
    let link = '';
    let image = '';
    let hostNo = 10;
    const run = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
    let seq = 0;

    before(async () => {
      s = await makeEngine();
      const net = s.net ?? { cidr: '10.250.0.0/24', gateway: '10.250.0.1' };
      link = await s.engine.network.ensureDefault(net);
      assert.equal(await s.engine.network.ensureDefault(net), link, 'ensureDefault is idempotent');
      image = await s.engine.images.prepare(s.image ?? 'tiny');
      assert.equal(await s.engine.images.isReady(s.image ?? 'tiny'), true);
    });
    after(async () => {
      await s?.cleanup();
    });

    const spec = (): InstanceSpec => {
      const net = s.net ?? { cidr: '10.250.0.0/24', gateway: '10.250.0.1' };
      const [base = '', len] = net.cidr.split('/');
      const host = hostNo++;
      const ip = base.split('.').slice(0, 3).concat(String(host)).join('.');
      const id = `srv_c${run}${(seq++).toString(36)}`;
      return {
        id,
        kind: s.kind ?? 'container',
        hostname: `conf-${host}`,
        image,
        vcpus: 1,
        memoryMb: 128,
        diskGb: 1,
        sshKeys: [],
        nics: [{ id: `nic_${id.slice(4)}`, link, mac: `02:00:0a:fa:00:${host.toString(16).padStart(2, '0')}`, ipv4: `${ip}/${len}`, gateway: net.gateway }],
      };
    };
    const state = async (id: string) => (await s.engine.compute.inspect(id))?.state ?? null;
    const c = () => s.engine.compute;

    test('capabilities say containers, and sync engines answer mutations with null', async () => {
      assert.equal(typeof c().capabilities.asyncTasks, 'boolean');
      assert.ok(c().capabilities.containers || c().capabilities.virtualMachines);
    });

    test('lifecycle: create, start, reboot, stop, destroy', async () => {
      const sp = spec();
      assert.equal(await state(sp.id), null, 'absent before create');
      await settle(s.engine, await c().create(sp));
      assert.equal(await state(sp.id), 'stopped', 'created stopped');
      await settle(s.engine, await c().start(sp.id));
      assert.equal(await state(sp.id), 'running');
      await settle(s.engine, await c().reboot(sp.id));
      assert.equal(await state(sp.id), 'running', 'running after reboot');
      await settle(s.engine, await c().stop(sp.id, { force: false }));
      assert.equal(await state(sp.id), 'stopped', 'stopped after a clean stop');
      await settle(s.engine, await c().destroy(sp.id));
      assert.equal(await state(sp.id), null, 'gone after destroy');
    });

    test('every call is idempotent', async () => {
      const sp = spec();
      await settle(s.engine, await c().create(sp));
      await settle(s.engine, await c().create(sp));
      assert.equal(await state(sp.id), 'stopped');
      assert.equal((await c().list()).filter((x) => x === sp.id).length, 1, 'create twice makes no twin');
      await settle(s.engine, await c().stop(sp.id, { force: true }));
      assert.equal(await state(sp.id), 'stopped', 'stopping a stopped instance is success');
      await settle(s.engine, await c().start(sp.id));
      await settle(s.engine, await c().start(sp.id));
      assert.equal(await state(sp.id), 'running');
      await settle(s.engine, await c().create(sp));
      assert.equal(await state(sp.id), 'running', 'create on a running instance changes nothing');
      await settle(s.engine, await c().stop(sp.id, { force: true }));
      await settle(s.engine, await c().stop(sp.id, { force: false }));
      assert.equal(await state(sp.id), 'stopped');
      await settle(s.engine, await c().destroy(sp.id));
      await settle(s.engine, await c().destroy(sp.id));
      assert.equal(await state(sp.id), null);
    });

    test('destroying or inspecting what never existed is fine', async () => {
      const id = `srv_never${run}`;
      assert.equal(await c().inspect(id), null);
      await settle(s.engine, await c().destroy(id));
      assert.equal(await c().inspect(id), null);
    });

    test('a running instance can be destroyed in one call', async () => {
      const sp = spec();
      await settle(s.engine, await c().create(sp));
      await settle(s.engine, await c().start(sp.id));
      await settle(s.engine, await c().destroy(sp.id));
      assert.equal(await state(sp.id), null);
    });

    test('list() holds exactly the instances that exist', async () => {
      const a = spec();
      const b = spec();
      await settle(s.engine, await c().create(a));
      await settle(s.engine, await c().create(b));
      let ids = await c().list();
      assert.ok(ids.includes(a.id) && ids.includes(b.id), `list has both: ${ids.join(',')}`);
      assert.ok(ids.every((x) => x.startsWith('srv_')));
      await settle(s.engine, await c().destroy(a.id));
      ids = await c().list();
      assert.ok(!ids.includes(a.id) && ids.includes(b.id));
      await settle(s.engine, await c().destroy(b.id));
      assert.ok(!(await c().list()).includes(b.id));
    });

    test('an instance stopped behind the driver’s back reads as stopped and starts again', async (t) => {
      if (!s.killBehindBack) return t.skip('the factory gives no way to stop an instance outside the driver');
      const sp = spec();
      await settle(s.engine, await c().create(sp));
      await settle(s.engine, await c().start(sp.id));
      await s.killBehindBack(sp.id);
      assert.equal(await state(sp.id), 'stopped');
      await settle(s.engine, await c().start(sp.id));
      assert.equal(await state(sp.id), 'running');
      await settle(s.engine, await c().destroy(sp.id));
    });
  });
}
