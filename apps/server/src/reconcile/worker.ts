import type { Queue, WorkItem } from './queue.ts';

/** What a reconcile pass asks for next: another pass after `againMs`, or none (null). */
export interface ReconcileResult {
  againMs: number | null;
}

/**
 * A reconciler is handed only an id (and how often the last passes failed), reads what is,
 * does the next step and says when to look again. It throws to be retried with backoff.
 */
export type Reconciler = (id: string, attempts: number) => Promise<ReconcileResult>;

/** Backoff after the n-th failure in a row: 1 s, 2 s, 4 s … up to a minute. */
export const backoffMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** attempts);

/** Runs reconcilers for due queue items, `concurrency` at a time, until stopped. */
export function createWorker(opts: {
  queue: Queue;
  reconcilers: Record<string, Reconciler>;
  concurrency: number;
  pollMs?: number;
  leaseMs?: number;
  onError?: (item: WorkItem, err: unknown) => void;
}) {
  const { queue, reconcilers, concurrency } = opts;
  const pollMs = opts.pollMs ?? 250;
  // Short leases, renewed while a pass runs, so a killed worker's items are free again soon.
  const leaseMs = opts.leaseMs ?? 10_000;
  const inFlight = new Map<string, { item: WorkItem; done: Promise<void> }>();
  let running = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  let renewer: NodeJS.Timeout | null = null;

  async function runOne(item: WorkItem): Promise<void> {
    const reconcile = reconcilers[item.kind];
    try {
      if (!reconcile) throw new Error(`no reconciler for kind ${item.kind}`);
      const { againMs } = await reconcile(item.id, item.attempts);
      await queue.done(item, againMs);
    } catch (err) {
      opts.onError?.(item, err);
      await queue.retry(item, err instanceof Error ? err.message : String(err), backoffMs(item.attempts)).catch(() => {});
    }
  }

  async function tick(): Promise<void> {
    const free = concurrency - inFlight.size;
    if (free <= 0) return;
    const items = await queue.claim(free, leaseMs);
    for (const item of items) {
      const key = `${item.kind}/${item.id}`;
      // Our own lease ran out while the pass is still under way (a slow pass, or the clock jumped):
      // the item is ours again, and a second pass beside the first would do its steps twice.
      if (inFlight.has(key)) continue;
      const done = runOne(item).finally(() => {
        inFlight.delete(key);
        wake?.(); // a free slot may take the next due item at once
      });
      inFlight.set(key, { item, done });
    }
  }

  return {
    /** Starts claiming and running work. */
    start(): void {
      if (running) return;
      running = true;
      renewer = setInterval(() => {
        queue.renew([...inFlight.values()].map((f) => f.item), leaseMs).catch(() => {});
      }, leaseMs / 3);
      loop = (async () => {
        while (running) {
          try {
            await tick();
          } catch (err) {
            opts.onError?.({ kind: 'queue', id: 'claim', attempts: 0, claimedNextAt: 0 }, err);
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = null;
        }
      })();
    },

    /** Nudges the worker to look for due work now (after an API call enqueued some). */
    notify(): void {
      wake?.();
    },

    /** Stops claiming new work and waits for the passes under way to finish (SIGTERM drain). */
    async stop(): Promise<void> {
      running = false;
      wake?.();
      await loop;
      await Promise.allSettled([...inFlight.values()].map((f) => f.done));
      if (renewer) clearInterval(renewer);
    },
  };
}

/** A running worker. */
export type Worker = ReturnType<typeof createWorker>;
