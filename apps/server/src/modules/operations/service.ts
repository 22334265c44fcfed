import { EventEmitter } from 'node:events';
import type { ListQuery, Operation, Page } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { notFound } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Database, OperationsTable } from '../../store/schema.ts';
import type { Principal } from '../identity/principal.ts';

/** How an operation failed: a stable code, a plain message, and the engine's own words for operators. */
export interface OperationError {
  code: string;
  message: string;
  /** Host paths and tool output: shown to operators only. */
  detail?: string;
}

/** The API's view of an operations row; the error's detail only when `forOperator`. */
export const toOperation = (o: OperationsTable, forOperator = false): Operation => ({
  id: o.id,
  tenantId: o.tenant_id,
  kind: o.kind,
  target: { type: o.target_type, id: o.target_id },
  state: o.state,
  progress: o.progress,
  step: o.step,
  error: o.error ? publicError(JSON.parse(o.error) as OperationError, forOperator) : null,
  createdAt: iso(o.created_at)!,
  startedAt: iso(o.started_at),
  finishedAt: iso(o.finished_at),
});

function publicError({ detail, ...e }: OperationError, forOperator: boolean): Operation['error'] {
  return forOperator && detail ? { ...e, detail } : e;
}

/** What starts an operation: the change a caller asked for and the generation it waits for. */
export interface NewOperation {
  tenantId: string;
  userId: string | null;
  kind: string;
  targetType: string;
  targetId: string;
  targetGeneration: number;
  requestId: string;
  step: string;
}

/**
 * Operations: the record of every slow change, with progress and a wait. Reconcilers move
 * them along; callers read them.
 */
export function createOperations({ db, clock, ids }: { db: Kysely<Database>; clock: Clock; ids: IdGenerator }) {
  const active = ['pending', 'running'] as const;
  // Waiters in this process wake as soon as an operation of their target ends; the poll
  // below stays for operations ended by another process (several workers on PostgreSQL).
  const ended = new EventEmitter();
  ended.setMaxListeners(0);

  // Called inside the ending transaction: the waiter's read must come after the commit, which
  // a macrotask later it has (SQLite: the same connection is free; PostgreSQL: falls back to the poll).
  const afterCommit = (targetId: string) => setImmediate(() => ended.emit('ended', targetId));

  return {
    /** Records a new pending operation inside the caller's transaction. */
    async create(trx: Kysely<Database>, o: NewOperation): Promise<Operation> {
      const row: OperationsTable = {
        id: ids('op'),
        tenant_id: o.tenantId,
        user_id: o.userId,
        kind: o.kind,
        target_type: o.targetType,
        target_id: o.targetId,
        target_generation: o.targetGeneration,
        state: 'pending',
        progress: 0,
        step: o.step,
        error: null,
        request_id: o.requestId,
        created_at: clock(),
        started_at: null,
        finished_at: null,
      };
      await trx.insertInto('operations').values(row).execute();
      return toOperation(row);
    },

    /** One operation of the caller's tenant (any tenant's for operators). */
    async get(p: Principal, id: string): Promise<Operation> {
      let q = db.selectFrom('operations').selectAll().where('id', '=', id);
      if (p.role !== 'operator') q = q.where('tenant_id', '=', p.tenantId);
      const row = await q.executeTakeFirst();
      if (!row) throw notFound('operation', id);
      return toOperation(row, p.role === 'operator');
    },

    /** Lists operations, newest first by id order reversed on the client; failed ones first when asked. */
    list(p: Principal, q: ListQuery & { scope?: 'tenant' | 'all'; state?: string; target?: string; kind?: string }): Promise<Page<Operation>> {
      let query = db.selectFrom('operations').selectAll();
      if (!(q.scope === 'all' && p.role === 'operator')) query = query.where('tenant_id', '=', p.tenantId);
      if (q.state) query = query.where('state', '=', q.state as OperationsTable['state']);
      // Ids carry a "_", names cannot: a target without one is a server of the caller's tenant by name.
      if (q.target && !q.target.includes('_')) {
        const name = q.target;
        query = query.where('target_id', 'in', (eb) => eb.selectFrom('servers').select('id').where('name', '=', name).where('tenant_id', '=', p.tenantId));
      } else if (q.target) {
        query = query.where('target_id', '=', q.target);
      }
      if (q.kind) query = query.where('kind', '=', q.kind);
      return paginate(query, 'id', q, (row) => toOperation(row, p.role === 'operator'), { sort: { kind: 'kind', state: 'state' } });
    },

    /** Polls until the operation ends or the timeout passes; answers its latest state. */
    async wait(p: Principal, id: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation> {
      const deadline = clock() + timeoutMs;
      for (;;) {
        const op = await this.get(p, id);
        if (op.state === 'succeeded' || op.state === 'failed' || clock() >= deadline || signal?.aborted) return op;
        await new Promise<void>((resolve) => {
          const wake = (targetId: string) => {
            if (targetId !== op.target.id) return;
            done();
          };
          const done = () => {
            clearTimeout(timer);
            ended.off('ended', wake);
            resolve();
          };
          const timer = setTimeout(done, Math.min(250, Math.max(0, deadline - clock())));
          ended.on('ended', wake);
        });
      }
    },

    /** Marks the target's active operations as running with a step and progress. */
    async progress(trx: Kysely<Database>, targetId: string, step: string, progress: number): Promise<void> {
      await trx
        .updateTable('operations')
        .set({ state: 'running', step, progress })
        .where('target_id', '=', targetId)
        .where('state', 'in', active)
        .execute();
      await trx.updateTable('operations').set({ started_at: clock() }).where('target_id', '=', targetId).where('started_at', 'is', null).execute();
    },

    /** Ends the target's active operations that wait for a generation up to `generation`. */
    async succeed(trx: Kysely<Database>, targetId: string, generation: number, step = 'done'): Promise<void> {
      const now = clock();
      await trx
        .updateTable('operations')
        .set({ state: 'succeeded', progress: 100, step, finished_at: now })
        .where('target_id', '=', targetId)
        .where('state', 'in', active)
        .where('target_generation', '<=', generation)
        .execute();
      afterCommit(targetId);
    },

    /** Fails every active operation of the target with an error the caller can read. */
    async fail(trx: Kysely<Database>, targetId: string, error: OperationError): Promise<void> {
      await trx
        .updateTable('operations')
        .set({ state: 'failed', error: JSON.stringify(error), finished_at: clock() })
        .where('target_id', '=', targetId)
        .where('state', 'in', active)
        .execute();
      afterCommit(targetId);
    },
  };
}

/** The operations service. */
export type Operations = ReturnType<typeof createOperations>;
