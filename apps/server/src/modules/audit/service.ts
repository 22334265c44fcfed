import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { Principal } from '../identity/principal.ts';

/** Who did something, for the audit log; null actor means the system itself. */
export interface Actor {
  tenantId: string | null;
  userId: string | null;
  requestId: string;
}

/** The actor behind an authenticated request. */
export function actorOf(p: Principal, requestId: string): Actor {
  return { tenantId: p.tenantId, userId: p.userId, requestId };
}

/** One audit entry. */
export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  detail?: Record<string, unknown>;
}

/** Writes audit entries inside the caller's transaction, so an entry exists iff the change does. */
export function createAudit(deps: { clock: Clock; ids: IdGenerator }) {
  return {
    /** Records one change made by `actor`. */
    async record(db: Kysely<Database>, actor: Actor, e: AuditEntry): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          id: deps.ids('aud'),
          at: deps.clock(),
          tenant_id: actor.tenantId,
          actor_id: actor.userId,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          request_id: actor.requestId,
          detail: JSON.stringify(e.detail ?? {}),
        })
        .execute();
    },
  };
}

/** The audit service. */
export type Audit = ReturnType<typeof createAudit>;
