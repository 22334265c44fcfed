import { CreatePlan, CreateServer, CreateSshKey, Image, LabelledListQuery, ListQuery, Operation, Page, Phase, Plan, Server, ServerAction, ServerWithOperation, SshKey, StatusListQuery, UpdateServer, UpdateSshKey } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Catalog } from './catalog.ts';
import type { Servers } from './servers.ts';
import type { SshKeys } from './ssh-keys.ts';

/** The server list's query: operators may list every tenant's servers or one other tenant's. */
const ServerQuery = Type.Composite([
  StatusListQuery(Phase, 'servers'),
  Type.Object({
    tenant: Type.Optional(
      Type.String({ pattern: '^(all|ten_[0-9a-z]{20,32})$', description: '`all` or a tenant id (operators); default: your own tenant' }),
    ),
    node: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'only servers placed on this host (as `GET /hosts` names it)' })),
  }),
]);

// SSH keys are named in paths by id or by name, which is free text of up to 100 characters.
const KeyParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'key_… id or name' }) });

/** vServers, SSH keys, plans and images. */
export function computeRoutes(servers: Servers, sshKeys: SshKeys, catalog: Catalog): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/servers',
      summary: 'List servers (tenant=all or tenant=<id> for operators)',
      tag: 'servers',
      query: ServerQuery,
      errors: ['FORBIDDEN'],
      responses: { 200: Page(Server) },
      handler: (req, _r, p) => servers.list(p, req.query as StatusListQuery & { tenant?: string; node?: string }),
    },
    {
      method: 'POST',
      url: '/servers',
      summary: 'Create a server; answers at once with the operation that makes it',
      tag: 'servers',
      body: CreateServer,
      errors: ['PLAN_NOT_FOUND', 'IMAGE_NOT_FOUND', 'SSH_KEY_NOT_FOUND', 'NAME_TAKEN', 'WEAK_PASSWORD', 'INVALID_SSH_KEY', 'UNSUPPORTED_KIND', 'NO_ADDRESS_LEFT', 'HOST_NOT_READY'], responses: { 202: ServerWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await servers.create(p, req.body as CreateServer, req.id)),
    },
    { method: 'GET', url: '/servers/:id', summary: 'Show a server (by id or name)', tag: 'servers', params: IdParam, errors: ['SERVER_NOT_FOUND'], responses: { 200: Server }, handler: (req, _r, p) => servers.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/servers/:id',
      summary: "Rename a server (its hostname follows when it was the name) and/or replace its labels",
      tag: 'servers',
      params: IdParam,
      body: UpdateServer,
      errors: ['SERVER_NOT_FOUND', 'NAME_TAKEN', 'SERVER_BUSY'],
      responses: { 200: Server },
      handler: (req, _r, p) => servers.update(p, idOf(req), req.body as UpdateServer, req.id),
    },
    {
      method: 'POST',
      url: '/servers/:id/actions/:action',
      summary: 'Start, stop (ask, then kill after a grace time), shutdown (ask only), poweroff (kill at once) or reboot a server',
      tag: 'servers',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), action: ServerAction }),
      body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY'], responses: { 202: Operation },
      handler: async (req, reply, p) => {
        const { id, action } = req.params as { id: string; action: ServerAction };
        return reply.status(202).send(await servers.action(p, id, action, req.id));
      },
    },
    {
      method: 'DELETE',
      url: '/servers/:id',
      summary: 'Delete a server and everything made for it (refused while delete protection is on)',
      tag: 'servers',
      params: IdParam,
      errors: ['SERVER_NOT_FOUND', 'SERVER_BUSY', 'SERVER_PROTECTED'], responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await servers.delete(p, idOf(req), req.id)),
    },
    { method: 'GET', url: '/ssh-keys', summary: "List your tenant's SSH keys", tag: 'ssh-keys', query: LabelledListQuery, responses: { 200: Page(SshKey) }, handler: (req, _r, p) => sshKeys.list(p, req.query as LabelledListQuery) },
    {
      method: 'POST',
      url: '/ssh-keys',
      summary: 'Save an SSH public key for new servers',
      tag: 'ssh-keys',
      body: CreateSshKey,
      errors: ['INVALID_SSH_KEY', 'SSH_KEY_EXISTS', 'NAME_TAKEN'], responses: { 201: SshKey },
      handler: async (req, reply, p) => reply.status(201).send(await sshKeys.create(p, req.body as CreateSshKey, req.id)),
    },
    { method: 'GET', url: '/ssh-keys/:id', summary: 'Show an SSH key (by id or name)', tag: 'ssh-keys', params: KeyParam, responses: { 200: SshKey }, handler: (req, _r, p) => sshKeys.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/ssh-keys/:id',
      summary: 'Rename an SSH key and/or replace its labels',
      tag: 'ssh-keys',
      params: KeyParam,
      body: UpdateSshKey,
      errors: ['NAME_TAKEN'], responses: { 200: SshKey },
      handler: (req, _r, p) => sshKeys.update(p, idOf(req), req.body as UpdateSshKey, req.id),
    },
    {
      method: 'DELETE',
      url: '/ssh-keys/:id',
      summary: 'Delete an SSH key; servers made with it keep it',
      tag: 'ssh-keys',
      params: KeyParam,
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await sshKeys.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    { method: 'GET', url: '/plans', summary: 'List plans with prices', tag: 'plans', query: ListQuery, responses: { 200: Page(Plan) }, handler: (req) => catalog.listPlans(req.query as ListQuery) },
    {
      method: 'POST',
      url: '/plans',
      summary: 'Create a plan (operators)',
      tag: 'plans',
      body: CreatePlan,
      errors: ['NAME_TAKEN'], responses: { 201: Plan },
      handler: async (req, reply, p) => reply.status(201).send(await catalog.createPlan(p, req.body as CreatePlan, req.id)),
    },
    { method: 'GET', url: '/images', summary: 'List images', tag: 'images', query: ListQuery, responses: { 200: Page(Image) }, handler: (req) => catalog.listImages(req.query as ListQuery) },
  ];
}
