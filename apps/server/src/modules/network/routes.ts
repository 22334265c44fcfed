import { Allocation, CreateNetwork, LabelledListQuery, ListQuery, Network, NetworkWithOperation, Operation, Page, UpdateNetwork } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Networks } from './networks.ts';

/** vSwitches and their allocations. */
export function networkRoutes(networks: Networks): RouteDef[] {
  return [
    { method: 'GET', url: '/networks', summary: 'List your networks', tag: 'networks', query: LabelledListQuery, responses: { 200: Page(Network) }, handler: (req, _r, p) => networks.list(p, req.query as LabelledListQuery) },
    {
      method: 'POST',
      url: '/networks',
      summary: 'Create a private network (vSwitch); answers at once with the operation that makes it',
      tag: 'networks',
      body: CreateNetwork,
      responses: { 202: NetworkWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await networks.create(p, req.body as CreateNetwork, req.id)),
    },
    { method: 'GET', url: '/networks/:id', summary: 'Show a network (by id or name)', tag: 'networks', params: IdParam, responses: { 200: Network }, handler: (req, _r, p) => networks.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/networks/:id',
      summary: 'Rename a network and/or replace its labels',
      tag: 'networks',
      params: IdParam,
      body: UpdateNetwork,
      responses: { 200: Network },
      handler: (req, _r, p) => networks.update(p, idOf(req), req.body as UpdateNetwork, req.id),
    },
    {
      method: 'DELETE',
      url: '/networks/:id',
      summary: 'Delete a network that no server uses any more',
      tag: 'networks',
      params: IdParam,
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await networks.delete(p, idOf(req), req.id)),
    },
    {
      method: 'GET',
      url: '/networks/:id/allocations',
      summary: "List the addresses held on a network",
      tag: 'networks',
      params: IdParam,
      query: ListQuery,
      responses: { 200: Page(Allocation) },
      handler: (req, _r, p) => networks.allocations(p, idOf(req), req.query as ListQuery),
    },
  ];
}
