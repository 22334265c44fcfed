import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError, type ErrorCode, type MessageParam } from '../../lib/errors.ts';
import { message as messageOf } from '../../lib/messages.ts';
import { startTrace, type Trace } from '../../lib/trace.ts';
import { type Engine, type InstanceObservation, type InstanceSpec, PermanentEngineError, type TaskRef } from '../../drivers/types.ts';
import type { Queue } from '../../reconcile/queue.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { Database } from '../../store/schema.ts';
import { blocking, type HostHealth } from '../cluster/health.ts';
import { type Ipv4Network, releaseAddresses } from '../network/ipam.ts';
import { nicSpecsFor } from '../network/nics.ts';
import { releaseDetachedNics } from '../network/server-nics.ts';
import { effectiveNics } from '../network/traffic-policy.ts';
import type { Operations } from '../operations/service.ts';
import type { Catalog } from './catalog.ts';
import { readRow, setCondition, setPhase, type StoredSpec, type StoredStatus } from './server-record.ts';

/** Failed passes in a row before the server is marked Failed and its operations end. */
const MAX_ATTEMPTS = 5;
/** Steps one pass may take before it yields; each step is one engine call. */
const STEPS_PER_PASS = 4;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  engine: Engine;
  operations: Operations;
  catalog: Catalog;
  /** The default network and the engine's link for it (from network.ensureDefault at start-up). */
  defaultNetwork: Ipv4Network & { link: string };
  /** Engine-level image name when the image is ready; null while it is being prepared. */
  imageReady: (name: string) => Promise<string | null>;
  /** How often a converged server is looked at again; null: only when something wakes it. */
  resyncMs: number | null;
  /** The node new instances are placed on (the engine has one until clustering comes). */
  node: string;
  /** Asked after an engine failure whether the host itself is the cause. */
  health: Pick<HostHealth, 'refresh'>;
  /** The operator's log: where the engine's own words go. */
  log: (text: string) => void;
  /** To tell the vSwitches of a deleted server that its name and reservation are gone. */
  queue: Queue;
  /** Told every phase change inside the transaction that commits it (billing meters from it). */
  onPhase?: (trx: Kysely<Database>, change: PhaseChange) => Promise<void>;
}

/** A committed phase change of a server, as billing and the volumes that follow it read it. */
export interface PhaseChange {
  serverId: string;
  tenantId: string;
  name: string;
  plan: string;
  /** A server phase, or `Deleted` when the row goes. */
  phase: string;
  /** When the phase began (the status's phaseSince). */
  at: number;
  /** The phase before, as this process last committed it (absent when unknown). */
  from?: string;
}

/** A shutdown the guest did not carry out in time; it keeps running. */
class ShutdownTimedOut extends Error {
  readonly seconds: number;
  constructor(seconds: number) {
    super(`the guest did not shut down within ${seconds} s`);
    this.seconds = seconds;
  }
}

/** What the engine was given of a NIC: its id, and its limits when it has any. */
export function nicKey(n: { id: string; ingressMbit?: number; egressMbit?: number }): string {
  return n.ingressMbit || n.egressMbit ? `${n.id}@${n.ingressMbit ?? 0}/${n.egressMbit ?? 0}` : n.id;
}

/** True when the engine has exactly the spec's NICs (absent: the ones it was made with). */
function sameNics(applied: string[] | undefined, nics: { id: string }[]): boolean {
  if (!applied) return false;
  return applied.length === nics.length && nics.every((n) => applied.includes(nicKey(n)));
}

/** How a pass failed, as tenants and operators are told. */
interface Failure {
  /** Retrying cannot help: end the operation now. */
  terminal: boolean;
  code: ErrorCode;
  /** Plain words for the tenant. */
  message: string;
  /** The engine's own words, for the operator. */
  detail?: string;
}

/** Why a pass stopped early: an engine task to wait for, or an image still being prepared. */
type Wait = { task: TaskRef & { action: string } } | { imagePending: true };

/**
 * The server reconciler: reads the spec and what the engine has, does the next steps toward
 * the spec, and records status (phase, conditions) and operation progress as it goes.
 */
export function createServerReconciler(d: Deps): Reconciler {
  const { db, clock, engine, operations } = d;

  async function toInstance(id: string, spec: StoredSpec, image: string, wanted: StoredSpec['nics'], first = false): Promise<InstanceSpec> {
    const plan = await d.catalog.planByName(db, spec.plan);
    const { nics, dns } = await nicSpecsFor(db, engine, wanted, d.defaultNetwork);
    return {
      id,
      kind: spec.kind,
      hostname: spec.hostname,
      image,
      vcpus: plan.vcpus,
      memoryMb: plan.memoryMb,
      diskGb: plan.diskGb,
      ...(spec.passwordHash ? { rootPasswordHash: spec.passwordHash } : {}),
      sshKeys: spec.sshKeys,
      nics,
      ...(dns.nameservers.length ? { dns } : {}),
      // Made from a snapshot the first time only: one remade after it vanished starts from its image.
      ...(first && spec.source ? { fromSnapshot: spec.source } : {}),
    };
  }

  // The phase and plan last committed per server, so a change is told to onPhase once, with the
  // status; a resize is told as the same phase with the new plan, from when it took effect.
  const savedPhase = new Map<string, string>();
  const savedPlan = new Map<string, string>();
  const saveStatus = async (db: Kysely<Database>, id: string, status: StoredStatus) => {
    const row = await db.updateTable('servers').set({ status: JSON.stringify(status), updated_at: clock() }).where('id', '=', id).returning(['tenant_id', 'name', 'spec']).executeTakeFirst();
    if (!row || !d.onPhase) return;
    const plan = status.appliedPlan ?? (JSON.parse(row.spec) as StoredSpec).plan;
    const phaseChanged = savedPhase.get(id) !== status.phase;
    if (!phaseChanged && savedPlan.get(id) === plan) return;
    const from = savedPhase.get(id);
    await d.onPhase(db, { serverId: id, tenantId: row.tenant_id, name: row.name, plan, phase: status.phase, at: phaseChanged ? Date.parse(status.phaseSince ?? '') || clock() : clock(), ...(from ? { from } : {}) });
    savedPhase.set(id, status.phase);
    savedPlan.set(id, plan);
  };

  const progress = (id: string, step: string, pct: number) => db.transaction().execute((trx) => operations.progress(trx, id, step, pct));

  /** Does the next steps toward the spec; answers why it stopped early, or null when converged. */
  async function converge(id: string, spec: StoredSpec, status: StoredStatus, wasCreated: boolean, trace: Trace): Promise<{ wait: Wait | null; observed: InstanceObservation | null }> {
    const mark = (type: string, ok: boolean, reason: string, message: string) => {
      status.conditions = setCondition(status.conditions, { type, status: ok ? 'True' : 'False', reason, message }, clock());
    };
    let observed: InstanceObservation | null = null;
    // The NICs with the limits to apply: their own, the plan's, and its throttle past the included traffic.
    const effective = await effectiveNics(db, id, spec.plan, d.defaultNetwork.name, spec.nics, clock());
    if (effective.verdict !== 'ok' || status.conditions.some((c) => c.type === 'TrafficLimit')) {
      const words = { ok: 'the traffic this month is within the plan', throttled: 'past the traffic included this month: public NICs are throttled', blocked: 'past the hard traffic limit of the plan this month' };
      // True once the hard limit is passed: what billing acts on (the reason tells the soft limit too).
      mark('TrafficLimit', effective.verdict === 'blocked', { ok: 'WithinLimit', throttled: 'Throttled', blocked: 'HardLimitExceeded' }[effective.verdict], words[effective.verdict]);
    }
    // What an engine call that finished inside the call has just made true: asking the engine
    // again would cost a process spawn on the hot path of every create (lxc-start -d returns
    // once the guest's init runs). A guest that dies right after is found by the engine's events.
    let known: InstanceObservation | null = null;
    for (let step = 0; step < STEPS_PER_PASS; step++) {
      observed = known ?? (await engine.compute.inspect(id));
      known = null;
      trace.mark('inspect');
      let task: TaskRef | null = null;
      let action: string;
      if (!observed) {
        const image = await d.imageReady(spec.image);
        if (!image) {
          mark('ImageReady', false, 'Preparing', `image ${spec.image} is being prepared`);
          await progress(id, `preparing image ${spec.image}`, 10);
          return { wait: { imagePending: true }, observed };
        }
        mark('ImageReady', true, 'Ready', `image ${spec.image} is ready`);
        // A server that existed and vanished behind our back is made again: the spec says it exists.
        if (wasCreated) mark('Drift', true, 'Recreated', 'the instance had disappeared from the engine and was created again');
        await progress(id, 'creating instance', 30);
        status.node ??= d.node; // placement: the one node this engine has
        const instance = await toInstance(id, spec, image, effective.nics, !wasCreated);
        trace.mark('prepare');
        action = 'create';
        task = await engine.compute.create(instance);
        trace.mark('create');
        setPhase(status, 'Provisioning', clock());
        status.nicsApplied = effective.nics.map(nicKey);
        // A new instance has everything the spec asks for: nothing left to rebuild, resize or reset.
        status.rebuildsDone = spec.rebuildCount ?? 0;
        status.passwordsDone = spec.passwordCount ?? 0;
        status.appliedPlan = spec.plan;
        status.hostnamesDone = spec.hostnameCount ?? 0;
        if (!task) known = { state: 'stopped', node: status.node };
      } else if ((status.rebuildsDone ?? 0) < (spec.rebuildCount ?? 0)) {
        // A rebuild replaces the disk under a stopped instance; the guest is not asked first.
        if (observed.state === 'running') {
          await progress(id, 'stopping for rebuild', 20);
          action = 'stop';
          task = await engine.compute.stop(id, { force: true });
        } else {
          const image = await d.imageReady(spec.image);
          if (!image) {
            await progress(id, `preparing image ${spec.image}`, 10);
            return { wait: { imagePending: true }, observed };
          }
          await progress(id, 'rebuilding', 40);
          action = 'rebuild';
          task = await engine.compute.rebuild(await toInstance(id, spec, image, effective.nics));
          status.rebuildsDone = spec.rebuildCount ?? 0;
          status.passwordsDone = spec.passwordCount ?? 0;
          status.appliedPlan = spec.plan;
          status.hostnamesDone = spec.hostnameCount ?? 0;
        }
      } else if ((status.appliedPlan ?? spec.plan) !== spec.plan) {
        await progress(id, 'resizing', 50);
        const plan = await d.catalog.planByName(db, spec.plan);
        action = 'resize';
        task = await engine.compute.resize(id, { vcpus: plan.vcpus, memoryMb: plan.memoryMb, diskGb: plan.diskGb });
        status.appliedPlan = spec.plan;
      } else if ((status.passwordsDone ?? 0) < (spec.passwordCount ?? 0) && spec.passwordHash) {
        await progress(id, 'setting root password', 50);
        action = 'set-password';
        task = await engine.compute.setRootPassword(id, spec.passwordHash);
        status.passwordsDone = spec.passwordCount ?? 0;
      } else if ((status.hostnamesDone ?? 0) < (spec.hostnameCount ?? 0)) {
        // A rename whose hostname followed the name: live in a running guest, and on every start.
        await progress(id, 'setting hostname', 50);
        action = 'set-hostname';
        task = await engine.compute.setHostname(id, spec.hostname);
        status.hostnamesDone = spec.hostnameCount ?? 0;
      } else if (!sameNics(status.nicsApplied, effective.nics)) {
        // NICs attached or detached since: plugged in and pulled out live, no restart.
        await progress(id, 'changing NICs', 60);
        action = 'nics';
        const { nics, dns } = await nicSpecsFor(db, engine, effective.nics, d.defaultNetwork);
        trace.mark('nic-specs');
        task = await engine.compute.setNics(id, nics, dns);
        trace.mark('set-nics');
        status.nicsApplied = effective.nics.map(nicKey);
        await nicsChanged(id, spec, status);
        known = observed;
      } else if (spec.powerState === 'running' && observed.state === 'running' && observed.missingLinks?.length) {
        // A NIC's host link removed behind our back (the guest's end went with it): plugged in
        // again as a hot-plug would, addresses, routes, rate limits and all.
        mark('Drift', true, 'NicReplugged', `${observed.missingLinks.length} NIC link(s) had been removed on the host and were plugged in again`);
        await progress(id, 'plugging NICs in again', 60);
        action = 'nics';
        const { nics, dns } = await nicSpecsFor(db, engine, effective.nics, d.defaultNetwork);
        task = await engine.compute.setNics(id, nics, dns);
        const { missingLinks: _replugged, ...rest } = observed;
        known = rest;
      } else if (spec.powerState === 'running' && observed.state === 'stopped') {
        if (status.phase === 'Running') mark('Drift', true, 'Restarted', 'the instance was found stopped and was started again');
        await progress(id, 'starting', 70);
        trace.mark('progress');
        action = 'start';
        task = await engine.compute.start(id);
        trace.mark('start');
        status.rebootsDone = spec.rebootCount; // a fresh start is as good as a reboot
        if (!task) known = { state: 'running', node: observed.node || (status.node ?? '') };
      } else if (spec.powerState === 'running' && (status.rebootsDone ?? 0) < spec.rebootCount) {
        await progress(id, 'rebooting', 50);
        action = 'reboot';
        task = await engine.compute.reboot(id);
        status.rebootsDone = spec.rebootCount;
      } else if (spec.powerState === 'stopped' && observed.state === 'running') {
        if (status.phase === 'Stopped') mark('Drift', true, 'Stopped', 'the instance was found running and was stopped again');
        const mode = spec.stopMode ?? 'stop';
        await progress(id, mode === 'poweroff' ? 'powering off' : mode === 'shutdown' ? 'shutting down' : 'stopping', 50);
        action = 'stop';
        if (mode === 'shutdown') {
          const timeoutS = spec.shutdownTimeoutS ?? 30;
          task = await engine.compute.stop(id, { force: false, askOnly: true, timeoutS });
          if (!task && (await engine.compute.inspect(id))?.state === 'running') throw new ShutdownTimedOut(timeoutS);
        } else {
          task = await engine.compute.stop(id, { force: mode === 'poweroff' });
        }
      } else {
        // Changes made in the engine's own GUI are reported, never silently overwritten.
        if (observed.drift && observed.drift.length > 0) mark('Drift', true, 'ChangedOutside', `changed outside Kumulus: ${observed.drift.join('; ')}`);
        // A VM without KVM works, only much slower: the tenant and the operator are told.
        if (observed.emulated !== undefined) {
          mark('HardwareAccelerated', !observed.emulated, observed.emulated ? 'SoftwareEmulation' : 'KVM', observed.emulated ? 'the VM runs in software emulation (the host has no usable /dev/kvm): much slower' : 'the VM runs with KVM');
        }
        return { wait: null, observed };
      }
      if (task) return { wait: { task: { ...task, action } }, observed };
    }
    return { wait: null, observed: await engine.compute.inspect(id) };
  }

  /**
   * After the engine changed the NICs: addresses of detached ones go back to IPAM (with their
   * cool-down) and every vSwitch touched updates its names; saved with the new applied list.
   */
  async function nicsChanged(id: string, spec: StoredSpec, status: StoredStatus) {
    await db.transaction().execute(async (trx) => {
      const left = await releaseDetachedNics(trx, id, spec.nics.map((n) => n.id), clock());
      const touched = new Set([...left, ...spec.nics.map((n) => n.network)]);
      for (const net of touched) if (net !== d.defaultNetwork.name) await d.queue.enqueue(trx, 'network', net);
      await saveStatus(trx, id, status);
    });
  }

  /** Removes the instance, then the row; answers false while the engine is still at it. */
  async function deleteServer(id: string, spec: StoredSpec, status: StoredStatus, generation: number): Promise<boolean> {
    setPhase(status, 'Deleting', clock());
    // An instance the engine cannot read anymore is still there to destroy.
    const present = () => engine.compute.inspect(id).catch((e: unknown) => {
      if (e instanceof PermanentEngineError) return true;
      throw e;
    });
    if (await present()) {
      await progress(id, 'deleting instance', 50);
      const task = await engine.compute.destroy(id);
      if (task) {
        status.task = { ...task, action: 'destroy' };
        return false;
      }
      if (await present()) return false;
    }
    await db.transaction().execute(async (trx) => {
      for (const n of spec.nics) if (n.network !== d.defaultNetwork.name) await d.queue.enqueue(trx, 'network', n.network);
      const row = await trx.selectFrom('servers').select(['tenant_id', 'name', 'spec']).where('id', '=', id).executeTakeFirst();
      if (row) await d.onPhase?.(trx, { serverId: id, tenantId: row.tenant_id, name: row.name, plan: (JSON.parse(row.spec) as StoredSpec).plan, phase: 'Deleted', at: clock(), from: 'Deleting' });
      savedPhase.delete(id);
      await releaseAddresses(trx, id, clock());
      await operations.succeed(trx, id, generation, 'deleted');
      await trx.deleteFrom('servers').where('id', '=', id).execute();
    });
    return true;
  }

  /** Sorts a failure into terminal or not, with words for the tenant and the operator. */
  async function describeFailure(err: unknown, image: string): Promise<Failure> {
    const plain = (code: ErrorCode, params: Record<string, MessageParam> = {}) => messageOf('en', code, params);
    if (err instanceof DomainError && err.code !== 'ENGINE_ERROR') return { terminal: true, code: err.code, message: plain(err.code, err.params) };
    const detail = err instanceof Error ? err.message : String(err);
    // A host that lacks what the server needs fails it at once: retrying reads the same host.
    if (blocking((await d.health.refresh()).problems, image).length) {
      return { terminal: true, code: 'HOST_NOT_READY', message: plain('HOST_NOT_READY', { image }), detail };
    }
    return { terminal: err instanceof PermanentEngineError, code: 'ENGINE_ERROR', message: plain('ENGINE_ERROR'), detail };
  }

  return async (id, attempts) => {
    const trace = startTrace(`server ${id}`);
    const row = await db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
    trace.mark('read');
    if (!row) return { againMs: null };
    const { spec, status } = readRow(row);
    savedPhase.set(id, status.phase);
    savedPlan.set(id, status.appliedPlan ?? spec.plan);
    const wasCreated = status.observedGeneration > 0;
    // An operation ends in the same transaction as the status it ends with: whoever waits on
    // the operation must read the server's new phase, not the one before.
    let statusSaved = false;
    const endOperation = (end: (trx: Kysely<Database>) => Promise<unknown>) =>
      db.transaction().execute(async (trx) => {
        // The operation first: what follows the status (webhooks) reads how it ended.
        await end(trx);
        await saveStatus(trx, id, status);
        statusSaved = true;
      });
    try {
      // A task from an earlier pass is polled first: nothing else may change the instance meanwhile.
      if (status.task) {
        const t = await engine.compute.task(status.task);
        if (!t.done) return { againMs: 1000 };
        const failed = t.error;
        const action = status.task.action;
        delete status.task;
        if (failed) throw new Error(`${action} task failed: ${failed}`);
      }
      if (row.deletion_requested_at !== null) {
        return (await deleteServer(id, spec, status, row.generation)) ? { againMs: null } : { againMs: 1000 };
      }
      const { wait, observed } = await converge(id, spec, status, wasCreated, trace);
      if (wait && 'task' in wait) {
        status.task = wait.task;
        // A first look soon (most tasks end in well under a second), then about every second like mature clients.
        return { againMs: 200 };
      }
      if (wait) return { againMs: 2000 };
      setPhase(status, observed?.state === 'running' ? 'Running' : 'Stopped', clock());
      status.node = observed?.node ?? null;
      status.observedGeneration = row.generation;
      status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'True', reason: status.phase, message: `the instance is ${observed?.state}` }, clock());
      await endOperation((trx) => operations.succeed(trx, id, row.generation));
      trace.mark('commit');
      return { againMs: d.resyncMs };
    } catch (err) {
      if (err instanceof ShutdownTimedOut) {
        // The guest is still up: the wish to stop ends with the failed operation, so the next
        // pass does not ask again; the server stays Running, as it is.
        spec.powerState = 'running';
        delete spec.stopMode;
        const message = messageOf('en', 'SHUTDOWN_TIMEOUT', { id, seconds: err.seconds });
        await endOperation(async (trx) => {
          await trx.updateTable('servers').set({ spec: JSON.stringify(spec) }).where('id', '=', id).execute();
          await operations.fail(trx, id, { code: 'SHUTDOWN_TIMEOUT', message });
        });
        return { againMs: 1000 };
      }
      const f = await describeFailure(err, spec.image);
      if (f.terminal || attempts + 1 >= MAX_ATTEMPTS) {
        if (f.detail) d.log(`kumulus: server ${id} failed: ${f.detail}`);
        setPhase(status, 'Failed', clock());
        status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Failed', message: f.message }, clock());
        await endOperation((trx) => operations.fail(trx, id, { code: f.code, message: f.message, ...(f.detail ? { detail: f.detail } : {}) }));
        // Keep looking now and then: the engine may recover, and a delete must still go through.
        return { againMs: 60_000 };
      }
      const retry = `${f.message} Trying again (attempt ${attempts + 2} of ${MAX_ATTEMPTS}).`;
      status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Retrying', message: retry }, clock());
      throw err; // the worker logs it for the operator and retries with backoff
    } finally {
      // Saved whatever happened, so a failure still records why (the row may be gone after delete).
      if (!statusSaved) await db.transaction().execute((trx) => saveStatus(trx, id, status));
      trace.end();
    }
  };
}
