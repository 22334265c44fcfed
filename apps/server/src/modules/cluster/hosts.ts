import { cpus, totalmem } from 'node:os';
import { Host, ListQuery, Page } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { RouteDef } from '../../http/route.ts';
import type { Database } from '../../store/schema.ts';
import { iso } from '../../lib/clock.ts';
import { pageInMemory } from '../../lib/paging.ts';
import { requireRole } from '../identity/principal.ts';
import type { HostHealth } from './health.ts';

/** Hosts with capacity and what is allocated on them (operators). */
export function hostRoutes({ db, engine, node, health }: { db: Kysely<Database>; engine: string; node: string; health: HostHealth }): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/hosts',
      summary: 'List hosts with capacity and usage (operators)',
      tag: 'hosts',
      query: ListQuery,
      errors: ['FORBIDDEN'],
      responses: { 200: Page(Host) },
      handler: async (req, _r, p) => {
        requireRole(p, 'operator', { en: 'see hosts', de: 'Hosts ansehen' });
        const servers = await db.selectFrom('servers').select(['spec']).execute();
        const plans = new Map((await db.selectFrom('plans').selectAll().execute()).map((pl) => [pl.name, pl]));
        let allocatedVcpus = 0;
        let allocatedMemoryMb = 0;
        for (const s of servers) {
          const plan = plans.get((JSON.parse(s.spec) as { plan: string }).plan);
          allocatedVcpus += plan?.vcpus ?? 0;
          allocatedMemoryMb += plan?.memory_mb ?? 0;
        }
        // Looking at the host checks it again: the operator sees a fix take effect at once.
        const report = await health.refresh();
        const problems = report.problems.map(({ check, subject, message, fix }) => ({ check, subject, message, fix }));
        const hostHealth = { ok: problems.length === 0, checkedAt: iso(report.checkedAt)!, problems };
        const host: Host = { name: node, engine, health: hostHealth, cpus: cpus().length, memoryMb: Math.round(totalmem() / 1048576), servers: servers.length, allocatedVcpus, allocatedMemoryMb };
        return pageInMemory([host], req.query as ListQuery, { name: (h) => h.name, servers: (h) => h.servers, cpus: (h) => h.cpus, memory: (h) => h.memoryMb });
      },
    },
  ];
}
