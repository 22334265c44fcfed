import { AttachNic, LimitNic, ListQuery, NicParams, NicWithOperation, Operation, PlanTraffic, ServerNicList, ServerTraffic, TrafficQuery } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { ServerNics } from './server-nics.ts';
import type { createPlanTraffic } from './traffic-policy.ts';

type PlanTrafficService = ReturnType<typeof createPlanTraffic>;

/** A server's NICs (list, attach hot-plugged, limit, detach), its traffic, and plans' network terms. */
export function nicRoutes(nics: ServerNics, plans: PlanTrafficService): RouteDef[] {
  return [
    { method: 'GET', url: '/plans/:id/traffic', summary: "A plan's network terms: default NIC limit, included traffic, soft and hard limit", tag: 'plans', params: IdParam, errors: ['PLAN_NOT_FOUND'], responses: { 200: PlanTraffic }, handler: (req) => plans.get(idOf(req)) },
    {
      method: 'PUT',
      url: '/plans/:id/traffic',
      summary: "Set a plan's network terms (operators)",
      tag: 'plans',
      params: IdParam,
      body: PlanTraffic,
      errors: ['PLAN_NOT_FOUND', 'FORBIDDEN'],
      responses: { 200: PlanTraffic },
      handler: (req, _r, p) => plans.set(p, idOf(req), req.body as PlanTraffic),
    },
    {
      method: 'GET',
      url: '/servers/:id/nics',
      summary: "List a server's NICs with where each stands on the host",
      tag: 'servers',
      params: IdParam,
      query: ListQuery,
      errors: ['SERVER_NOT_FOUND'],
      responses: { 200: ServerNicList },
      handler: (req, _r, p) => nics.list(p, idOf(req), req.query as ListQuery),
    },
    {
      method: 'GET',
      url: '/servers/:id/traffic',
      summary: "A server's traffic per hour (the last 31 days, or `hours`), public and private, bytes in and out, summed and per NIC",
      tag: 'servers',
      params: IdParam,
      query: TrafficQuery,
      errors: ['SERVER_NOT_FOUND', 'NIC_NOT_FOUND'],
      responses: { 200: ServerTraffic },
      handler: (req, _r, p) => nics.traffic(p, idOf(req), req.query as TrafficQuery),
    },
    {
      method: 'POST',
      url: '/servers/:id/nics',
      summary: 'Attach a NIC on a network to a server (plugged in live when it runs); answers at once with the operation',
      tag: 'servers',
      params: IdParam,
      body: AttachNic,
      errors: ['SERVER_NOT_FOUND', 'NETWORK_NOT_FOUND', 'ADDRESS_TAKEN', 'NIC_ON_NETWORK', 'NO_ADDRESS_LEFT', 'SERVER_BUSY', 'CONFLICT'],
      responses: { 202: NicWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await nics.attach(p, idOf(req), req.body as AttachNic, req.id)),
    },
    {
      method: 'PATCH',
      url: '/servers/:id/nics/:nicId',
      summary: "Set a NIC's rate limits (Mbit/s into and out of the server), applied live",
      tag: 'servers',
      params: NicParams,
      body: LimitNic,
      errors: ['SERVER_NOT_FOUND', 'NIC_NOT_FOUND', 'SERVER_BUSY', 'CONFLICT'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => {
        const { id, nicId } = req.params as { id: string; nicId: string };
        return reply.status(202).send(await nics.limit(p, id, nicId, req.body as LimitNic, req.id));
      },
    },
    {
      method: 'DELETE',
      url: '/servers/:id/nics/:nicId',
      summary: 'Detach a NIC from a server; its address is released once the host link is gone',
      tag: 'servers',
      params: NicParams,
      errors: ['SERVER_NOT_FOUND', 'NIC_NOT_FOUND', 'LAST_NIC', 'SERVER_BUSY', 'CONFLICT'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => {
        const { id, nicId } = req.params as { id: string; nicId: string };
        return reply.status(202).send(await nics.detach(p, id, nicId, req.id));
      },
    },
  ];
}
