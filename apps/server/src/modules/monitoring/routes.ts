import { CreateMonitor, ListQuery, Monitor, MonitorResult, Page, UpdateMonitor } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { idOf, type RouteDef } from '../../http/route.ts';
import type { Monitors } from './monitors.ts';

const MonitorParam = Type.Object({ id: Type.String({ pattern: '^mon_[0-9a-z]{20,32}$' }) });

/** Uptime monitors and their history. */
export function monitorRoutes(monitors: Monitors): RouteDef[] {
  return [
    { method: 'GET', url: '/monitors', summary: "List your tenant's monitors with state and uptime (operators: all)", tag: 'monitors', query: ListQuery, responses: { 200: Page(Monitor) }, handler: (req, _r, p) => monitors.list(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/monitors',
      summary: 'Create an HTTP(S), TCP, ping or TLS-certificate monitor; its first check runs at once',
      tag: 'monitors',
      body: CreateMonitor,
      errors: ['FORBIDDEN', 'MONITOR_TARGET_INVALID', 'MONITOR_TARGET_REFUSED', 'SERVER_NOT_FOUND', 'NAME_TAKEN'],
      responses: { 201: Monitor },
      handler: async (req, reply, p) => reply.status(201).send(await monitors.create(p, req.body as CreateMonitor, req.id)),
    },
    { method: 'GET', url: '/monitors/:id', summary: 'A monitor with its state and uptime', tag: 'monitors', params: MonitorParam, errors: ['MONITOR_NOT_FOUND'], responses: { 200: Monitor }, handler: (req, _r, p) => monitors.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/monitors/:id',
      summary: 'Change, pause or resume a monitor',
      tag: 'monitors',
      params: MonitorParam,
      body: UpdateMonitor,
      errors: ['MONITOR_NOT_FOUND', 'FORBIDDEN', 'MONITOR_TARGET_INVALID', 'NAME_TAKEN'],
      responses: { 200: Monitor },
      handler: (req, _r, p) => monitors.update(p, idOf(req), req.body as UpdateMonitor, req.id),
    },
    {
      method: 'DELETE',
      url: '/monitors/:id',
      summary: 'Delete a monitor and its history',
      tag: 'monitors',
      params: MonitorParam,
      errors: ['MONITOR_NOT_FOUND', 'FORBIDDEN'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await monitors.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'GET',
      url: '/monitors/:id/results',
      summary: "A monitor's check results (order=desc: newest first)",
      tag: 'monitors',
      params: MonitorParam,
      query: ListQuery,
      errors: ['MONITOR_NOT_FOUND'],
      responses: { 200: Page(MonitorResult) },
      handler: (req, _r, p) => monitors.results(p, idOf(req), req.query as ListQuery),
    },
  ];
}
