import { CloneSnapshot, CreateSnapshot, Operation, Page, RollbackSnapshot, ServerWithOperation, Snapshot, SnapshotListQuery, SnapshotWithOperation, type StatusListQuery, UpdateSnapshot, VolumeWithOperation } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Snapshots } from './snapshots.ts';

const SnapshotParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), sid: Type.String({ minLength: 1, maxLength: 64 }) });
const sidOf = (req: { params: unknown }): string => (req.params as { sid: string }).sid;

/** Snapshots of servers (their root disk) and of volumes: the same routes under each. */
export function snapshotRoutes(snapshots: Snapshots): RouteDef[] {
  const owners = [
    { path: 'servers', type: 'server', tag: 'servers', notFound: 'SERVER_NOT_FOUND', what: "a server's root disk" },
    { path: 'volumes', type: 'volume', tag: 'volumes', notFound: 'VOLUME_NOT_FOUND', what: 'a volume' },
  ] as const;
  return owners.flatMap(({ path, type, tag, notFound, what }): RouteDef[] => [
    {
      method: 'GET',
      url: `/${path}/:id/snapshots`,
      summary: `List the snapshots of ${what}, with size and time`,
      tag,
      params: IdParam,
      query: SnapshotListQuery,
      errors: [notFound],
      responses: { 200: Page(Snapshot) },
      handler: (req, _r, p) => snapshots.list(p, type, idOf(req), req.query as StatusListQuery),
    },
    {
      method: 'POST',
      url: `/${path}/:id/snapshots`,
      summary: `Take a consistent snapshot of ${what} (the guest frozen for the moment of the copy)`,
      tag,
      params: IdParam,
      body: CreateSnapshot,
      errors: [notFound, 'NAME_TAKEN', 'SNAPSHOT_LIMIT', 'SNAPSHOT_BUSY', 'SNAPSHOTS_UNSUPPORTED', 'CONFLICT'],
      responses: { 202: SnapshotWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await snapshots.create(p, type, idOf(req), req.body as CreateSnapshot, req.id)),
    },
    {
      method: 'GET',
      url: `/${path}/:id/snapshots/:sid`,
      summary: `Show a snapshot of ${what} (by id or name)`,
      tag,
      params: SnapshotParams,
      errors: [notFound, 'SNAPSHOT_NOT_FOUND'],
      responses: { 200: Snapshot },
      handler: (req, _r, p) => snapshots.get(p, type, idOf(req), sidOf(req)),
    },
    {
      method: 'PATCH',
      url: `/${path}/:id/snapshots/:sid`,
      summary: `Change the description and/or replace the labels of a snapshot of ${what}`,
      tag,
      params: SnapshotParams,
      body: UpdateSnapshot,
      errors: [notFound, 'SNAPSHOT_NOT_FOUND'],
      responses: { 200: Snapshot },
      handler: (req, _r, p) => snapshots.update(p, type, idOf(req), sidOf(req), req.body as UpdateSnapshot, req.id),
    },
    {
      method: 'POST',
      url: `/${path}/:id/snapshots/:sid/actions/rollback`,
      summary: `Put ${what} back to the snapshot; the server using it is stopped and started around it. confirm must be the snapshot's name`,
      tag,
      params: SnapshotParams,
      body: RollbackSnapshot,
      errors: [notFound, 'SNAPSHOT_NOT_FOUND', 'SNAPSHOT_CONFIRMATION', 'SNAPSHOT_BUSY', 'SNAPSHOT_BACKUP_RUNNING'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await snapshots.rollback(p, type, idOf(req), sidOf(req), (req.body as RollbackSnapshot).confirm, req.id)),
    },
    {
      method: 'POST',
      url: `/${path}/:id/snapshots/:sid/actions/clone`,
      summary: 'Make a new detached volume holding the snapshot',
      tag,
      params: SnapshotParams,
      body: CloneSnapshot,
      errors: [notFound, 'SNAPSHOT_NOT_FOUND', 'SNAPSHOT_BUSY', 'NAME_TAKEN', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      responses: { 202: VolumeWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await snapshots.clone(p, type, idOf(req), sidOf(req), req.body as CloneSnapshot, req.id)),
    },
    ...(type === 'server'
      ? [
          {
            method: 'POST',
            url: `/${path}/:id/snapshots/:sid/actions/clone-server`,
            summary: 'Make a new server from the snapshot: same image and plan, the snapshot’s files, its own name, addresses and machine identity',
            tag,
            params: SnapshotParams,
            body: CloneSnapshot,
            errors: [notFound, 'SNAPSHOT_NOT_FOUND', 'SNAPSHOT_BUSY', 'NAME_TAKEN', 'QUOTA_EXCEEDED', 'UNSUPPORTED_KIND'],
            responses: { 202: ServerWithOperation },
            handler: async (req, reply, p) => reply.status(202).send(await snapshots.cloneServer(p, idOf(req), sidOf(req), req.body as CloneSnapshot, req.id)),
          } satisfies RouteDef,
        ]
      : []),
    {
      method: 'DELETE',
      url: `/${path}/:id/snapshots/:sid`,
      summary: 'Delete a snapshot',
      tag,
      params: SnapshotParams,
      errors: [notFound, 'SNAPSHOT_NOT_FOUND', 'SNAPSHOT_BUSY'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await snapshots.delete(p, type, idOf(req), sidOf(req), req.id)),
    },
  ]);
}
