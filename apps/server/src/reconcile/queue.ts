import { type Kysely, sql } from 'kysely';
import type { Clock } from '../lib/clock.ts';
import type { Database } from '../store/schema.ts';

/** A claimed work item. */
export interface WorkItem {
  kind: string;
  id: string;
  attempts: number;
  /** next_at when claimed: finishing compares it to see whether the item was re-enqueued meanwhile. */
  claimedNextAt: number;
}

/**
 * The work queue in the database: one row per resource that needs a reconcile pass. Workers
 * lease rows; a killed worker's lease runs out and another picks the row up.
 */
export function createQueue({ db, dialect, clock, owner }: { db: Kysely<Database>; dialect: 'sqlite' | 'postgres'; clock: Clock; owner: string }) {
  return {
    /** Asks for a pass over (kind, id) after `delayMs`, inside the caller's transaction. */
    async enqueue(trx: Kysely<Database>, kind: string, id: string, delayMs = 0): Promise<void> {
      const at = clock() + delayMs;
      await trx
        .insertInto('reconcile_queue')
        .values({ kind, id, next_at: at, attempts: 0, last_error: null, lease_owner: null, lease_until: null })
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ next_at: at }))
        .execute();
    },

    /** Leases up to `n` due items for `leaseMs`. */
    async claim(n: number, leaseMs: number): Promise<WorkItem[]> {
      const now = clock();
      // SKIP LOCKED lets several PostgreSQL workers claim side by side; SQLite has one writer.
      const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
      const res = await sql<{ kind: string; id: string; attempts: number; next_at: number }>`
        update reconcile_queue set lease_owner = ${owner}, lease_until = ${now + leaseMs}
        where (kind, id) in (
          select kind, id from reconcile_queue
          where next_at <= ${now} and (lease_until is null or lease_until < ${now})
          order by next_at limit ${n} ${lock})
        returning kind, id, attempts, next_at`.execute(db);
      return res.rows.map((r) => ({ kind: r.kind, id: r.id, attempts: Number(r.attempts), claimedNextAt: Number(r.next_at) }));
    },

    /** Extends the leases of items still being worked on. */
    async renew(items: WorkItem[], leaseMs: number): Promise<void> {
      for (const it of items) {
        await db
          .updateTable('reconcile_queue')
          .set({ lease_until: clock() + leaseMs })
          .where('kind', '=', it.kind)
          .where('id', '=', it.id)
          .where('lease_owner', '=', owner)
          .execute();
      }
    },

    /** Releases an item after a good pass; the next pass comes after `againMs`, or never (null). */
    async done(it: WorkItem, againMs: number | null): Promise<void> {
      const match = db.updateTable('reconcile_queue').where('kind', '=', it.kind).where('id', '=', it.id);
      if (againMs === null) {
        // Only drop the row when nobody asked for another pass while we worked.
        await db.deleteFrom('reconcile_queue').where('kind', '=', it.kind).where('id', '=', it.id).where('next_at', '=', it.claimedNextAt).execute();
      } else {
        await match.set({ next_at: clock() + againMs }).where('next_at', '=', it.claimedNextAt).execute();
      }
      await match.set({ attempts: 0, last_error: null, lease_owner: null, lease_until: null }).execute();
    },

    /** Releases an item after a failed pass, to be tried again after `delayMs`. */
    async retry(it: WorkItem, error: string, delayMs: number): Promise<void> {
      await db
        .updateTable('reconcile_queue')
        .set({ attempts: it.attempts + 1, last_error: error.slice(0, 2000), next_at: clock() + delayMs, lease_owner: null, lease_until: null })
        .where('kind', '=', it.kind)
        .where('id', '=', it.id)
        .execute();
    },

    /** Drops every lease: for a single-process store at start-up, when no other worker can hold one. */
    async releaseAllLeases(): Promise<void> {
      await db.updateTable('reconcile_queue').set({ lease_owner: null, lease_until: null }).execute();
    },
  };
}

/** The work queue. */
export type Queue = ReturnType<typeof createQueue>;
