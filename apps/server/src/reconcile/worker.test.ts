/**
 * A worker never runs one item twice at the same time, even when its own lease on the item ran
 * out while the pass was still under way (a slow pass, or a clock that jumped ahead).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPgDatabase } from '../../test/harness.ts';
import { openStore, type Store } from '../store/db.ts';
import { createQueue } from './queue.ts';
import { createWorker } from './worker.ts';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`worker [${kind}]`, () => {
    let store: Store;
    let pgdb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
    before(async () => {
      pgdb = kind === 'postgres' ? await createPgDatabase() : null;
      store = await openStore(pgdb ? pgdb.url : 'sqlite::memory:');
    });
    after(async () => {
      await store?.close();
      await pgdb?.drop();
    });

    test('a pass whose lease ran out is not started a second time beside itself', async () => {
      let skipped = 0;
      const clock = () => Date.now() + skipped;
      const queue = createQueue({ db: store.db, dialect: kind, clock, owner: 'w1' });
      let inside = 0;
      let most = 0;
      let passes = 0;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let entered!: () => void;
      const first = new Promise<void>((r) => {
        entered = r;
      });
      const worker = createWorker({
        queue,
        concurrency: 4,
        pollMs: 10,
        leaseMs: 1000,
        reconcilers: {
          job: async () => {
            inside++;
            passes++;
            most = Math.max(most, inside);
            entered();
            await held;
            inside--;
            return { againMs: null };
          },
        },
      });
      await queue.enqueue(store.db, 'job', 'one');
      worker.start();
      try {
        await first;
        // The lease is 1 s; the clock jumps 10 minutes, and the item is asked for again meanwhile.
        skipped += 600_000;
        await queue.enqueue(store.db, 'job', 'one');
        worker.notify();
        await settle(200);
        assert.equal(most, 1, 'never two passes of one item at once');
        release();
        // The request made during the pass is honoured afterwards, by a pass of its own.
        for (let i = 0; i < 100 && passes < 2; i++) await settle(20);
        assert.equal(passes, 2);
        assert.equal(most, 1);
      } finally {
        release();
        await worker.stop();
      }
    });
  });
}
