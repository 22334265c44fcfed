import { ChangeProtection, Operation, PasswordReset, RebuildServer, ResizeServer, Server, ShutdownServer } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { ServerActions } from './server-actions.ts';

// Static paths: the router prefers them to the parametric `/servers/:id/actions/:action`.
const path = (action: string) => `/servers/:id/actions/${action}`;
const NoBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

/** Protection, shutdown with a timeout, resize, rebuild and root password reset of a server. */
export function serverActionRoutes(actions: ServerActions): RouteDef[] {
  return [
    {
      method: 'POST',
      url: path('change-protection'),
      summary: 'Set or lift delete and rebuild protection (takes effect at once)',
      tag: 'servers',
      params: IdParam,
      body: ChangeProtection,
      errors: ['SERVER_NOT_FOUND'],
      responses: { 200: Server },
      handler: (req, _r, p) => actions.changeProtection(p, idOf(req), req.body as ChangeProtection, req.id),
    },
    {
      method: 'POST',
      url: path('shutdown'),
      summary: 'Ask the guest to shut down; the operation fails if it does not within the timeout (it is never killed)',
      tag: 'servers',
      params: IdParam,
      body: Type.Optional(ShutdownServer),
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await actions.shutdown(p, idOf(req), (req.body as ShutdownServer | undefined)?.timeoutSeconds ?? 30, req.id)),
    },
    {
      method: 'POST',
      url: path('resize'),
      summary: 'Move a server to another plan: vCPUs and memory change live, the root disk only grows',
      tag: 'servers',
      params: IdParam,
      body: ResizeServer,
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY', 'PLAN_NOT_FOUND', 'SERVER_DISK_SHRINK', 'RESIZE_NEEDS_STOP'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await actions.resize(p, idOf(req), (req.body as ResizeServer).plan, req.id)),
    },
    {
      method: 'POST',
      url: path('rebuild'),
      summary: 'Replace the root filesystem with a fresh one from an image; id, name, addresses and keys stay',
      tag: 'servers',
      params: IdParam,
      body: RebuildServer,
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY', 'SERVER_PROTECTED', 'IMAGE_NOT_FOUND'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await actions.rebuild(p, idOf(req), (req.body as RebuildServer).image, req.id)),
    },
    {
      method: 'POST',
      url: path('reset-password'),
      summary: 'Set a new generated root password, answered this once',
      tag: 'servers',
      params: IdParam,
      body: NoBody,
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY'],
      responses: { 202: PasswordReset },
      handler: async (req, reply, p) => reply.status(202).send(await actions.resetPassword(p, idOf(req), req.id)),
    },
  ];
}
