/** The audit log's wire schemas: one line per change, who made it, to what, and with what detail. */
import { type Static, Type } from '@sinclair/typebox';
import { ListQuery } from '../schemas.ts';

/** One line of the audit log. */
export const AuditEntry = Type.Object({
  id: Type.String({ description: 'aud_… id; ids sort by time' }),
  at: Type.String({ format: 'date-time' }),
  /** The tenant of whoever acted (an operator acting on another tenant's server is in its own). */
  tenantId: Type.Union([Type.String(), Type.Null()], { description: "the acting user's tenant; null for the system itself" }),
  actorId: Type.Union([Type.String(), Type.Null()], { description: 'the acting user; null for the system itself' }),
  action: Type.String({ description: 'e.g. server.resize, server.rename, server.change-protection' }),
  targetType: Type.String(),
  targetId: Type.String(),
  requestId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** The audit list's query: operators may read every tenant's lines or one tenant's. */
export const AuditQuery = Type.Composite([
  ListQuery,
  Type.Object({
    tenant: Type.Optional(Type.String({ pattern: '^(all|ten_[0-9a-z]{20,32})$', description: '`all` or a tenant id (operators); default: your own tenant' })),
    target: Type.Optional(Type.String({ maxLength: 64, description: "only lines about this resource id (e.g. a server's srv_… id)" })),
    action: Type.Optional(Type.String({ maxLength: 64, description: 'only this action, or every action of a kind with a trailing `.*` (e.g. `server.*`)' })),
  }),
]);
export type AuditQuery = Static<typeof AuditQuery>;
