import { Backup, BackupListQuery, BackupTarget, BackupWithOperation, CreateBackup, CreateBackupTarget, LabelledListQuery, Operation, Page, RestoreBackup, RestoreStarted, UpdateBackup } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Backups } from './backups.ts';
import type { BackupTargets } from './targets.ts';

/** The routes of backup targets (operators) and of backups. */
export function backupRoutes(targets: BackupTargets, backups: Backups): RouteDef[] {
  return [
    { method: 'GET', url: '/backup-targets', summary: 'List the backup targets with their health and free space', tag: 'backups', responses: { 200: Type.Array(BackupTarget) }, handler: () => targets.list() },
    {
      method: 'POST',
      url: '/backup-targets',
      summary: 'Define a backup target: a directory, or a directory on a host reached over SFTP (operators)',
      tag: 'backups',
      body: CreateBackupTarget,
      errors: ['FORBIDDEN', 'NAME_TAKEN', 'BACKUP_TARGET_INVALID'],
      responses: { 201: BackupTarget },
      handler: async (req, reply, p) => reply.status(201).send(await targets.create(p, req.body as CreateBackupTarget, req.id)),
    },
    { method: 'GET', url: '/backup-targets/:id', summary: 'Show a backup target', tag: 'backups', params: IdParam, errors: ['BACKUP_TARGET_NOT_FOUND'], responses: { 200: BackupTarget }, handler: (req) => targets.get(idOf(req)) },
    {
      method: 'POST',
      url: '/backup-targets/:id/actions/probe',
      summary: 'Check a backup target now: reachable, total and free space (operators)',
      tag: 'backups',
      params: IdParam,
      errors: ['FORBIDDEN', 'BACKUP_TARGET_NOT_FOUND'],
      responses: { 200: BackupTarget },
      handler: (req, _r, p) => targets.probe(p, idOf(req)),
    },
    {
      method: 'DELETE',
      url: '/backup-targets/:id',
      summary: 'Remove a backup target that holds no backups (operators)',
      tag: 'backups',
      params: IdParam,
      errors: ['FORBIDDEN', 'BACKUP_TARGET_NOT_FOUND', 'BACKUP_TARGET_IN_USE'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await targets.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'POST',
      url: '/servers/:id/backups',
      summary: "Back up a server's root disk and attached volumes (mode snapshot: the guest keeps running; stop: stopped for the copy)",
      tag: 'backups',
      params: IdParam,
      body: CreateBackup,
      errors: ['SERVER_NOT_FOUND', 'BACKUP_TARGET_NOT_FOUND', 'BACKUP_TARGET_REQUIRED', 'BACKUP_BUSY', 'BACKUPS_UNSUPPORTED', 'CONFLICT'],
      responses: { 202: BackupWithOperation },
      handler: async (req, reply, p) => reply.status(202).send(await backups.create(p, idOf(req), req.body as CreateBackup, req.id)),
    },
    {
      method: 'GET',
      url: '/servers/:id/backups',
      summary: "List a server's backups",
      tag: 'backups',
      params: IdParam,
      query: LabelledListQuery,
      errors: ['SERVER_NOT_FOUND'],
      responses: { 200: Page(Backup) },
      handler: (req, _r, p) => backups.list(p, { ...(req.query as LabelledListQuery), server: idOf(req) }),
    },
    { method: 'GET', url: '/backups', summary: 'List your backups', tag: 'backups', query: BackupListQuery, errors: ['SERVER_NOT_FOUND'], responses: { 200: Page(Backup) }, handler: (req, _r, p) => backups.list(p, req.query as BackupListQuery) },
    { method: 'GET', url: '/backups/:id', summary: 'Show a backup with its sizes and verification', tag: 'backups', params: IdParam, errors: ['BACKUP_NOT_FOUND'], responses: { 200: Backup }, handler: (req, _r, p) => backups.get(p, idOf(req)) },
    {
      method: 'PATCH',
      url: '/backups/:id',
      summary: "Change a backup's notes or protection (pruning never removes a protected backup)",
      tag: 'backups',
      params: IdParam,
      body: UpdateBackup,
      errors: ['BACKUP_NOT_FOUND'],
      responses: { 200: Backup },
      handler: (req, _r, p) => backups.update(p, idOf(req), req.body as UpdateBackup, req.id),
    },
    {
      method: 'POST',
      url: '/backups/:id/actions/restore',
      summary: "Restore a backup into its own server (confirm: the server's name) or into a new server",
      tag: 'backups',
      params: IdParam,
      body: RestoreBackup,
      errors: ['BACKUP_NOT_FOUND', 'BACKUP_BUSY', 'BACKUP_CONFIRMATION', 'SERVER_NOT_FOUND', 'NAME_TAKEN', 'QUOTA_EXCEEDED'],
      responses: { 202: RestoreStarted },
      handler: async (req, reply, p) => reply.status(202).send(await backups.restore(p, idOf(req), req.body as RestoreBackup, req.id)),
    },
    {
      method: 'POST',
      url: '/backups/:id/actions/verify',
      summary: 'Verify a backup again: restore it into a throwaway server without network, boot it, check it, destroy it',
      tag: 'backups',
      params: IdParam,
      errors: ['BACKUP_NOT_FOUND', 'BACKUP_BUSY'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await backups.verify(p, idOf(req), req.id)),
    },
    {
      method: 'DELETE',
      url: '/backups/:id',
      summary: 'Delete a backup from its target',
      tag: 'backups',
      params: IdParam,
      errors: ['BACKUP_NOT_FOUND', 'BACKUP_PROTECTED', 'BACKUP_BUSY'],
      responses: { 202: Operation },
      handler: async (req, reply, p) => reply.status(202).send(await backups.delete(p, idOf(req), req.id)),
    },
  ];
}
