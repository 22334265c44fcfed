import type { Operation } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { actorOf, type Audit } from '../modules/audit/service.ts';
import type { Principal } from '../modules/identity/principal.ts';
import type { Operations } from '../modules/operations/service.ts';
import type { Database } from '../store/schema.ts';
import type { Queue } from './queue.ts';

/** One change of a resource's desired state, as its service wrote it. */
export interface Change {
  principal: Principal;
  /** The tenant the resource belongs to (an operator may act on another's). */
  tenantId: string;
  /** `server.create`, `volume.attach` …: the operation's kind and the audit action. */
  kind: string;
  /** The resource; its type is also the queue kind of its reconciler. */
  target: { type: string; id: string };
  /** The spec generation the operation waits for. */
  generation: number;
  requestId: string;
  step?: string;
  /** What the audit line says besides the operation's id. */
  detail?: Record<string, unknown>;
}

/**
 * Records what every desired-state change needs besides the spec, in the caller's transaction:
 * the operation the caller waits on, a queue entry for the resource's reconciler, and the audit
 * line — so no service can write one and forget another.
 */
export async function recordChange(trx: Kysely<Database>, d: { operations: Operations; queue: Queue; audit: Audit }, c: Change): Promise<Operation> {
  const op = await d.operations.create(trx, {
    tenantId: c.tenantId,
    userId: c.principal.userId,
    kind: c.kind,
    targetType: c.target.type,
    targetId: c.target.id,
    targetGeneration: c.generation,
    requestId: c.requestId,
    step: c.step ?? 'queued',
  });
  await d.queue.enqueue(trx, c.target.type, c.target.id);
  // A server's spec holds its NICs and addresses, which the host's firewall ruleset is compiled from.
  if (c.target.type === 'server') await d.queue.enqueue(trx, 'firewall', 'host');
  await d.audit.record(trx, actorOf(c.principal, c.requestId), { action: c.kind, targetType: c.target.type, targetId: c.target.id, detail: { ...c.detail, operation: op.id } });
  return op;
}
