import { AttachVolume, CreateVolume, Operation, Page, ResizeVolume, type StatusListQuery, UpdateVolume, Volume, VolumeListQuery, VolumeWithOperation } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Volumes } from './volumes.ts';

/** Block volumes: create, list, show, rename/label, attach, detach, delete. */
export function storageRoutes(volumes: Volumes): RouteDef[] {
  return [
    { method: 'GET', url: '/volumes', summary: 'List volumes', tag: 'volumes', query: VolumeListQuery, responses: { 200: Page(Volume) }, handler: (req, _r, p) => volumes.list(p, req.query as StatusListQuery) },
    {
      method: 'POST',
      url: '/volumes',
      summary: 'Create a volume of whole GB; answers at once with the operation that makes it',
      tag: 'volumes',
      body: CreateVolume,
      errors: ['NAME_TAKEN', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      responses: { 202: VolumeWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await volumes.create(p, req.body as CreateVolume, req.id)),
    },
    { method: 'GET', url: '/volumes/:id', summary: 'Show a volume (by id or name)', tag: 'volumes', params: IdParam, errors: ['VOLUME_NOT_FOUND'], responses: { 200: Volume }, handler: (req, _r, p) => volumes.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/volumes/:id',
      summary: 'Rename a volume, replace its labels, protect it against deletion or set its QoS',
      tag: 'volumes',
      params: IdParam,
      body: UpdateVolume,
      errors: ['VOLUME_NOT_FOUND', 'NAME_TAKEN'],
      responses: { 200: Volume },
      handler: (req, _r, p) => volumes.update(p, idOf(req), req.body as UpdateVolume, req.id),
    },
    {
      method: 'POST',
      url: '/volumes/:id/actions/attach',
      summary: 'Mount a volume into a server of the same host (at /mnt/<volume name> unless a path is given)',
      tag: 'volumes',
      params: IdParam,
      body: AttachVolume,
      errors: ['VOLUME_NOT_FOUND', 'SERVER_NOT_FOUND', 'VOLUME_ATTACHED', 'VOLUME_BUSY', 'VOLUME_ON_OTHER_HOST'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await volumes.attach(p, idOf(req), req.body as AttachVolume, req.id)),
    },
    {
      method: 'POST',
      url: '/volumes/:id/actions/resize',
      summary: 'Grow a volume and its filesystem, online when it is attached; never shrinks',
      tag: 'volumes',
      params: IdParam,
      body: ResizeVolume,
      errors: ['VOLUME_NOT_FOUND', 'VOLUME_BUSY', 'VOLUME_SHRINK', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await volumes.resize(p, idOf(req), (req.body as ResizeVolume).sizeGb, req.id)),
    },
    {
      method: 'POST',
      url: '/volumes/:id/actions/detach',
      summary: 'Unmount a volume from its server; its data stays',
      tag: 'volumes',
      params: IdParam,
      body: Type.Optional(Type.Object({}, { additionalProperties: false })),
      errors: ['VOLUME_NOT_FOUND', 'VOLUME_BUSY'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await volumes.detach(p, idOf(req), req.id)),
    },
    {
      method: 'DELETE',
      url: '/volumes/:id',
      summary: 'Delete a detached, unprotected volume, its data and its snapshots',
      tag: 'volumes',
      params: IdParam,
      errors: ['VOLUME_NOT_FOUND', 'VOLUME_ATTACHED', 'VOLUME_PROTECTED'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await volumes.delete(p, idOf(req), req.id)),
    },
  ];
}
