/**
 * Puts the cluster domain together for serve.ts: the registry of Proxmox VE clusters and its routes, told
 * which cluster (if any) the engine of this process drives, so node roles set through the API reach placement.
 */
import type { Kysely } from 'kysely';
import type { NodeRole } from '../../drivers/proxmox/placement.ts';
import type { Engine } from '../../drivers/types.ts';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { Audit } from '../audit/service.ts';
import { clusterRoutes } from './cluster-routes.ts';
import { createClusters } from './clusters.ts';
import type { SecretBox } from './secret-box.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  engine: Engine;
  box: () => SecretBox;
}

/** The cluster a Proxmox engine drives, as `createProxmoxEngine` exposes it; null for any other engine. */
function drivenCluster(engine: Engine): { id: string; roles: Record<string, NodeRole> } | null {
  const c = (engine as { cluster?: { id: string | null; roles: Record<string, NodeRole> } }).cluster;
  return c?.id ? { id: c.id, roles: c.roles } : null;
}

/** The routes of `/clusters`. */
export function wireClusters(d: Deps): RouteDef[] {
  const clusters = createClusters({ db: d.db, clock: d.clock, ids: d.ids, audit: d.audit, box: d.box, active: drivenCluster(d.engine) });
  return clusterRoutes(clusters);
}
