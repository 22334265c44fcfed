/**
 * A Proxmox VE cluster registered with this control plane: `kumulus serve --proxmox-url …` stores its endpoint
 * (the token secret sealed), and every start reads it back and checks the connection before the engine is used.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { ProxmoxEndpoint } from '../../drivers/proxmox/client.ts';
import { checkConnection } from '../../drivers/proxmox/host.ts';
import type { PveClient } from '../../drivers/proxmox/client.ts';
import type { Database } from '../../store/schema.ts';
import type { SecretBox } from './secret-box.ts';

/** The one cluster a control plane drives today (several come with `/api/v1/clusters`). */
const CLUSTER_ID = 'pvc_default';

/** Stores (or replaces) the registered cluster, the token secret sealed. */
export async function registerProxmox(db: Kysely<Database>, box: SecretBox, clock: Clock, ep: ProxmoxEndpoint): Promise<void> {
  const now = clock();
  const row = { url: ep.url, token_id: ep.tokenId, token_secret_sealed: box.seal(ep.tokenSecret, `${CLUSTER_ID}:${ep.tokenId}`), fingerprint: ep.fingerprint ?? null, ca: ep.ca ?? null, updated_at: now };
  const exists = await db.selectFrom('proxmox_clusters').select('id').where('id', '=', CLUSTER_ID).executeTakeFirst();
  if (exists) await db.updateTable('proxmox_clusters').set(row).where('id', '=', CLUSTER_ID).execute();
  else await db.insertInto('proxmox_clusters').values({ id: CLUSTER_ID, created_at: now, ...row }).execute();
}

/** The registered cluster's endpoint with its secret opened; null when none is registered. */
export async function registeredProxmox(db: Kysely<Database>, box: () => SecretBox): Promise<ProxmoxEndpoint | null> {
  const r = await db.selectFrom('proxmox_clusters').selectAll().where('id', '=', CLUSTER_ID).executeTakeFirst();
  if (!r) return null;
  return { url: r.url, tokenId: r.token_id, tokenSecret: box().open(r.token_secret_sealed, `${CLUSTER_ID}:${r.token_id}`), ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}), ...(r.ca ? { ca: r.ca } : {}) };
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
