import { CreatePlan, CreateServer, Image, ListQuery, Operation, Page, Plan, Server, ServerAction, ServerWithOperation } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, type RouteDef } from '../../http/route.ts';
import type { Catalog } from './catalog.ts';
import type { Servers } from './servers.ts';


/** vServers, plans and images. */
export function computeRoutes(servers: Servers, catalog: Catalog): RouteDef[] {
  return [
    { method: 'GET', url: '/servers', summary: 'List servers', tag: 'servers', query: ListQuery, responses: { 200: Page(Server) }, handler: (req, _r, p) => servers.list(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/servers',
      summary: 'Create a server; answers at once with the operation that makes it',
      tag: 'servers',
      body: CreateServer,
      responses: { 202: ServerWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await servers.create(p, req.body as CreateServer, req.id)),
    },
    { method: 'GET', url: '/servers/:id', summary: 'Show a server (by id or name)', tag: 'servers', params: IdParam, responses: { 200: Server }, handler: (req, _r, p) => servers.get(p, (req.params as { id: string }).id) },
    {
      method: 'POST',
      url: '/servers/:id/actions/:action',
      summary: 'Start, stop or reboot a server',
      tag: 'servers',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), action: ServerAction }),
      body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      responses: { 202: Operation },
      handler: async (req, reply, p) => {
        const { id, action } = req.params as { id: string; action: ServerAction };
        return reply.status(202).send(await servers.action(p, id, action, req.id));
      },
    },
    {
      method: 'DELETE',
      url: '/servers/:id',
      summary: 'Delete a server and everything made for it',
      tag: 'servers',
      params: IdParam,
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await servers.delete(p, (req.params as { id: string }).id, req.id)),
    },
    { method: 'GET', url: '/plans', summary: 'List plans with prices', tag: 'plans', query: ListQuery, responses: { 200: Page(Plan) }, handler: (req) => catalog.listPlans(req.query as ListQuery) },
    {
      method: 'POST',
      url: '/plans',
      summary: 'Create a plan (operators)',
      tag: 'plans',
      body: CreatePlan,
      responses: { 201: Plan },
      handler: async (req, reply, p) => reply.status(201).send(await catalog.createPlan(p, req.body as CreatePlan, req.id)),
    },
    { method: 'GET', url: '/images', summary: 'List images', tag: 'images', query: ListQuery, responses: { 200: Page(Image) }, handler: (req) => catalog.listImages(req.query as ListQuery) },
  ];
}
