import { Operation, ServerDiskQos, SetServerDiskQos } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { ServerDisks } from './server-disks.ts';

/** A server's root-disk QoS: read it, set it (applied live), or return it to the plan's. */
export function serverDiskRoutes(disks: ServerDisks): RouteDef[] {
  return [
    { method: 'GET', url: '/servers/:id/disk-qos', summary: "Show the root disk's QoS: the server's own, its plan's, and what is in force", tag: 'servers', params: IdParam, errors: ['SERVER_NOT_FOUND'], responses: { 200: ServerDiskQos }, handler: (req, _r, p) => disks.get(p, idOf(req)) },
    {
      method: 'PUT',
      url: '/servers/:id/disk-qos',
      summary: "Set the root disk's read/write MB/s and IOPS limits, applied live; null returns to the plan's",
      tag: 'servers',
      params: IdParam,
      body: SetServerDiskQos,
      errors: ['SERVER_NOT_FOUND'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await disks.set(p, idOf(req), (req.body as SetServerDiskQos).qos, req.id)),
    },
  ];
}
