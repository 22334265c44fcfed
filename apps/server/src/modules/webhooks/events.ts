import type { WebhookEvent } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { PhaseChange } from '../compute/server-reconciler.ts';
import type { Database } from '../../store/schema.ts';

/** One event to record, with what the receiver is told. */
export interface LifecycleEvent {
  event: WebhookEvent;
  data: Record<string, unknown>;
}

const NEW = new Set(['Pending', 'Provisioning']);

/**
 * The webhook events a committed phase change means: made (first Running or Stopped after
 * provisioning), started, stopped, deleted, and the failed operation when a server fails.
 */
export async function phaseEvents(trx: Kysely<Database>, c: PhaseChange): Promise<LifecycleEvent[]> {
  if (c.from === c.phase) return []; // a plan change in the same phase (resize) is billing's only
  const server = { id: c.serverId, name: c.name, plan: c.plan, phase: c.phase };
  const out: LifecycleEvent[] = [];
  const fresh = c.from !== undefined && NEW.has(c.from);
  if (fresh && (c.phase === 'Running' || c.phase === 'Stopped')) out.push({ event: 'server.created', data: { server } });
  if (c.phase === 'Running') out.push({ event: 'server.started', data: { server } });
  if (c.phase === 'Stopped' && !fresh) out.push({ event: 'server.stopped', data: { server } });
  if (c.phase === 'Deleted') out.push({ event: 'server.deleted', data: { server } });
  if (c.phase === 'Failed') {
    // The reconciler fails the operation in this same transaction, just before it saves the status.
    const op = await trx.selectFrom('operations').select(['id', 'kind', 'error']).where('target_id', '=', c.serverId).where('state', '=', 'failed').orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
    const error = op?.error ? (JSON.parse(op.error) as { code: string; message: string }) : null;
    out.push({ event: 'operation.failed', data: { server, operation: op ? { id: op.id, kind: op.kind, error: error && { code: error.code, message: error.message } } : null } });
  }
  return out;
}
