/**
 * A Proxmox VE cluster registered with this control plane, by `kumulus serve --proxmox-url …` or `POST /clusters`
 * (the token secret sealed): every start reads it back and checks the connection before the engine is used.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { ProxmoxEndpoint } from '../../drivers/proxmox/client.ts';
import { checkConnection } from '../../drivers/proxmox/host.ts';
import type { PveClient } from '../../drivers/proxmox/client.ts';
import type { Database } from '../../store/schema.ts';
import type { NodeRole } from '../../drivers/proxmox/placement.ts';
import type { SecretBox } from './secret-box.ts';

/** The id of a cluster registered by `kumulus serve --proxmox-url` when none was registered before. */
const CLUSTER_ID = 'pvc_default';

/** What a sealed token secret is bound to: its cluster and token id, so it cannot be moved to another row. */
export const sealContext = (clusterId: string, tokenId: string) => `${clusterId}:${tokenId}`;

/** Stores (or replaces) the one registered cluster, the token secret sealed. */
export async function registerProxmox(db: Kysely<Database>, box: SecretBox, clock: Clock, ep: ProxmoxEndpoint): Promise<void> {
  const now = clock();
  const exists = await db.selectFrom('proxmox_clusters').select('id').orderBy('created_at').executeTakeFirst();
  const id = exists?.id ?? CLUSTER_ID;
  const row = { url: ep.url, token_id: ep.tokenId, token_secret_sealed: box.seal(ep.tokenSecret, sealContext(id, ep.tokenId)), fingerprint: ep.fingerprint ?? null, ca: ep.ca ?? null, updated_at: now };
  if (exists) await db.updateTable('proxmox_clusters').set(row).where('id', '=', id).execute();
  else await db.insertInto('proxmox_clusters').values({ id, name: 'default', nodes: '[]', health: '{}', created_at: now, ...row }).execute();
}

/** The node roles stored for a cluster (a node not named is for compute). */
export function storedRoles(row: { nodes: string }): Record<string, NodeRole> {
  return Object.fromEntries((JSON.parse(row.nodes || '[]') as { name: string; role: NodeRole }[]).map((n) => [n.name, n.role]));
}

/** The registered cluster's id, endpoint (secret opened) and stored node roles; null when none is registered. */
export async function registeredProxmox(db: Kysely<Database>, box: () => SecretBox): Promise<{ id: string; endpoint: ProxmoxEndpoint; roles: Record<string, NodeRole> } | null> {
  const r = await db.selectFrom('proxmox_clusters').selectAll().orderBy('created_at').executeTakeFirst();
  if (!r) return null;
  const endpoint = { url: r.url, tokenId: r.token_id, tokenSecret: box().open(r.token_secret_sealed, sealContext(r.id, r.token_id)), ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}), ...(r.ca ? { ca: r.ca } : {}) };
  return { id: r.id, endpoint, roles: storedRoles(r) };
}

/** Checks reachability, the token and its privileges; throws the domain error that says which failed. */
export async function verifyProxmox(client: PveClient, ep: ProxmoxEndpoint): Promise<void> {
  const problems = await checkConnection(client, ep.url);
  const p = problems[0];
  if (!p) return;
  if (p.check === 'proxmox-reachable') throw new DomainError('PROXMOX_UNREACHABLE', { url: ep.url, reason: p.message });
  if (p.check === 'proxmox-token') throw new DomainError('PROXMOX_TOKEN_REFUSED', { url: ep.url, tokenId: ep.tokenId });
  throw new DomainError('PROXMOX_PRIVILEGES_MISSING', { tokenId: ep.tokenId, privileges: p.subject });
}
