/**
 * Puts together for serve.ts what shows tenants what their firewalls do: the firewall log (its
 * collector, reading the engine's log, and GET …/nics/{nic}/firewall-log) and the preview of a
 * change (POST /firewalls/preview). Both read the host model the reconciler compiles from.
 */
import { FirewallLog, FirewallPreview, FirewallPreviewRequest, NicParams } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Engine } from '../../drivers/types.ts';
import type { RouteDef } from '../../http/route.ts';
import type { Clock } from '../../lib/clock.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { HostModel } from './compile.ts';
import { loadHostModel } from './firewall-reconciler.ts';
import { createPacketLog } from './packet-log.ts';
import { createPreview } from './preview.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  engine: Engine;
  defaultNetwork: { cidr: string; link: string };
}

/** The firewall log and preview, wired: their routes, and start() for the log collector (answers its stop). */
export function wireFirewallViews(d: Deps): { routes: RouteDef[]; start: () => () => Promise<void> } {
  const fw = d.engine.firewall;
  // Engines without a firewall facet still have NICs, rules and targets to preview.
  const portless = { table: '', portOf: (id: string) => id, appliedHash: async () => null, apply: async () => {}, ruleset: async () => '', remove: async () => {} };
  const loadModel = (): Promise<HostModel> => loadHostModel({ db: d.db, firewall: fw ?? portless, linkOf: d.engine.network.linkOf, defaultNetwork: d.defaultNetwork });
  const log = createPacketLog({ db: d.db, clock: d.clock, ids: d.ids, loadModel, ...(fw?.watchLog ? { watch: fw.watchLog.bind(fw) } : {}) });
  const preview = createPreview({ db: d.db, loadModel });
  const routes: RouteDef[] = [
    {
      method: 'POST',
      url: '/firewalls/preview',
      summary: 'Show what a change of a firewall (or a new one) would open and close on each NIC, without making it',
      tag: 'firewalls',
      body: FirewallPreviewRequest,
      errors: ['FIREWALL_NOT_FOUND', 'SERVER_NOT_FOUND', 'NETWORK_NOT_FOUND', 'NOT_FOUND', 'LABEL_SELECTOR_INVALID'],
      responses: { 200: FirewallPreview },
      handler: (req, _r, p) => preview.preview(p, req.body as FirewallPreviewRequest),
    },
    {
      method: 'GET',
      url: '/servers/:id/nics/:nicId/firewall-log',
      summary: "The last packets a NIC's firewall dropped (and those matched by rules with log), newest first",
      tag: 'firewalls',
      params: NicParams,
      errors: ['SERVER_NOT_FOUND', 'NIC_NOT_FOUND'],
      responses: { 200: FirewallLog },
      handler: (req, _r, p) => {
        const { id, nicId } = req.params as { id: string; nicId: string };
        return log.list(p, id, nicId);
      },
    },
  ];
  return { routes, start: () => log.start() };
}
