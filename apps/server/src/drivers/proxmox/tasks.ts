/**
 * Proxmox worker tasks (UPIDs): polled by status, with a grace for the "no such task" a task answers right
 * after it was issued, and the active task of a locked guest found so callers wait on it instead of failing.
 */
import type { TaskRef, TaskState } from '../types.ts';
import { isTransient, PveApiError, type PveClient } from './client.ts';

/** How long "no such task" is taken as "not visible yet" before the task counts as lost. */
const NO_SUCH_TASK_GRACE_MS = 15_000;

/** Parses `UPID:node:PID:PSTART:STARTTIME:type:id:user:`; null when it is none. */
export function parseUpid(upid: string): { node: string; type: string; id: string; user: string; starttime: number } | null {
  const m = /^UPID:([^:]+):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:]*):([^:]*):([^:]+):$/i.exec(upid);
  if (!m) return null;
  return { node: m[1]!, type: m[5]!, id: m[6]!, user: m[7]!, starttime: Number.parseInt(m[4]!, 16) };
}

/** Polls tasks; remembers when a task first answered "no such task" to tell "not yet" from "lost". */
export function createTaskPoller(client: PveClient, now: () => number = Date.now) {
  const unseenSince = new Map<string, number>();
  return {
    /** Where the task stands; a failed task's exit status is the error. */
    async poll(ref: TaskRef): Promise<TaskState> {
      let s: { status: string; exitstatus?: string };
      try {
        s = await client.get(`/nodes/${encodeURIComponent(ref.node)}/tasks/${encodeURIComponent(ref.id)}/status`);
      } catch (err) {
        if (err instanceof PveApiError && /no such task/i.test(err.message)) {
          const since = unseenSince.get(ref.id) ?? now();
          unseenSince.set(ref.id, since);
          if (now() - since < NO_SUCH_TASK_GRACE_MS) return { done: false };
          unseenSince.delete(ref.id);
          return { done: true, error: `task ${ref.id} is unknown to node ${ref.node}` };
        }
        throw err;
      }
      unseenSince.delete(ref.id);
      if (s.status === 'running') return { done: false };
      const exit = s.exitstatus ?? 'unknown';
      if (exit === 'OK' || /^WARNINGS: \d+$/.test(exit)) return { done: true };
      return { done: true, error: exit };
    },
    /** The running task that holds a guest (its lock or config flock), to wait on; null when there is none. */
    async activeFor(node: string, vmid: number): Promise<TaskRef | null> {
      const tasks = await client.get<{ upid: string }[]>(`/nodes/${encodeURIComponent(node)}/tasks`, { vmid, source: 'active' });
      const upid = tasks[0]?.upid;
      return upid ? { node, id: upid } : null;
    },
  };
}

/** The poller's type. */
export type TaskPoller = ReturnType<typeof createTaskPoller>;

/** Waits for a task inside a call (a step that must end before the next one starts); a failed task throws. */
export async function waitForTask(tasks: TaskPoller, ref: TaskRef, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await retryTransient(() => tasks.poll(ref));
    if (s.done) {
      if (s.error) throw new Error(`task ${ref.id} failed: ${s.error}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`task ${ref.id} did not end in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs a step of a multi-step call again when it meets a transient failure (5xx, no answer), as mature PVE
 * clients do, so that one lost answer does not undo the steps before it; other failures pass at once.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= attempts || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** i));
    }
  }
}
