/**
 * Worker tasks: a UPID per mutation, `running` for its duration, then `stopped` with an exit status; the
 * guest's config stays held (flocked) while it runs, as pve-container's and qemu-server's workers hold it.
 */
import { PveHttpError } from './errors.ts';
import type { ClusterState, EmuTask } from './state.ts';

/** How a task ends: its effect on the cluster runs at the end unless the task fails. */
export interface TaskPlan {
  node: string;
  type: string;
  /** The vmid (or other id) the task is about; empty for none. */
  id: string;
  user: string;
  durationMs: number;
  /** Applied when the task succeeds; a thrown error becomes the exit status. */
  effect: () => void;
  /** Applied when the task fails (e.g. a failed create removes its half-made config). */
  onFail?: () => void;
  /** An error to end with instead of running the effect (fault injection). */
  failWith?: string;
  /** Status polls to answer "no such task" at first. */
  hiddenPolls?: number;
  /** The vmid whose config the worker holds while it runs. */
  holds?: number;
}

const hex = (n: number, width = 8) => n.toString(16).toUpperCase().padStart(width, '0');

/** Runs tasks against one cluster state; `now` is injected so UPIDs and timestamps are predictable in tests. */
export class TaskRunner {
  private pid = 4000;
  private timers = new Set<NodeJS.Timeout>();
  private readonly state: ClusterState;
  private readonly now: () => number;
  constructor(state: ClusterState, now: () => number = Date.now) {
    this.state = state;
    this.now = now;
  }

  /** Starts a task and answers its UPID (`UPID:node:PID:PSTART:STARTTIME:type:id:user:`, hex fields). */
  start(plan: TaskPlan): string {
    if (plan.holds !== undefined && this.state.busy.has(plan.holds)) {
      // PVE's workers wait 10 s for the config's flock and then fail; the caller gets a UPID either way.
      plan = { ...plan, failWith: `can't lock file '/run/lock/lxc/pve-config-${plan.holds}.conf' - got timeout`, holds: undefined };
    }
    const pid = this.pid++;
    const starttime = Math.floor(this.now() / 1000);
    const pstart = (starttime * 100) % 0xffffffff;
    const upid = `UPID:${plan.node}:${hex(pid)}:${hex(pstart)}:${hex(starttime)}:${plan.type}:${plan.id}:${plan.user}:`;
    const task: EmuTask = { upid, node: plan.node, type: plan.type, id: plan.id, user: plan.user, pid, pstart, starttime, status: 'running', log: [], hiddenPolls: plan.hiddenPolls ?? 0 };
    this.state.tasks.set(upid, task);
    if (plan.holds !== undefined) this.state.busy.set(plan.holds, upid);
    const finish = () => {
      const node = this.state.nodes.get(plan.node);
      // A task on a node that is gone cannot end until the node is back.
      if (node && !node.online) return this.later(finish, 200);
      if (plan.holds !== undefined && this.state.busy.get(plan.holds) === upid) this.state.busy.delete(plan.holds);
      let error = plan.failWith;
      if (!error) {
        try {
          plan.effect();
        } catch (err) {
          error = (err as Error).message.replace(/\n$/, '');
        }
      }
      if (error) {
        plan.onFail?.();
        task.log.push(`TASK ERROR: ${error}`);
        task.exitstatus = error;
      } else {
        task.log.push('TASK OK');
        task.exitstatus = 'OK';
      }
      task.status = 'stopped';
    };
    this.later(finish, plan.durationMs);
    return upid;
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** A task's status as `GET …/tasks/{upid}/status` answers it; 400 "no such task" while it is not visible. */
  status(node: string, upid: string): Record<string, unknown> {
    const t = this.state.tasks.get(upid);
    // pve-manager answers a task it cannot find (yet) with 400 "no such task".
    if (!t || t.node !== node) throw new PveHttpError(400, 'no such task');
    if (t.hiddenPolls > 0) {
      t.hiddenPolls--;
      throw new PveHttpError(400, 'no such task');
    }
    return { upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user, status: t.status, ...(t.exitstatus ? { exitstatus: t.exitstatus } : {}) };
  }

  /** Ends every pending timer (the emulator's close). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
