import { cpus, totalmem } from 'node:os';
import { Host, Page } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { RouteDef } from '../../http/route.ts';
import type { Database } from '../../store/schema.ts';
import { requireRole } from '../identity/principal.ts';

/** Hosts with capacity and what is allocated on them (operators). */
export function hostRoutes({ db, engine, node }: { db: Kysely<Database>; engine: string; node: string }): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/hosts',
      summary: 'List hosts with capacity and usage (operators)',
      tag: 'hosts',
      errors: ['FORBIDDEN'],
      responses: { 200: Page(Host) },
      handler: async (_req, _r, p) => {
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
        const host: Host = { name: node, engine, cpus: cpus().length, memoryMb: Math.round(totalmem() / 1048576), servers: servers.length, allocatedVcpus, allocatedMemoryMb };
        return { items: [host], nextCursor: null };
      },
    },
  ];
}
