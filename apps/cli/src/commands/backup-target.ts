/**
 * `kumulus backup-target list|create|probe|delete`: where backups are kept (operators): a
 * directory, or a directory on a host reached over SFTP with a key and a pinned host key.
 */
import { readFileSync } from 'node:fs';
import { ApiError, type BackupTarget, backupApi } from '@kumulus/api';
import { dispatch, parseCommand, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, headers, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus backup-target <command> [options]

Commands:
  list                                              targets with health, total and free space
  create NAME --path DIR [--default]                a directory on this host
  create NAME --path DIR --host HOST [--port N] [--user USER] --key-file FILE --host-key 'ssh-ed25519 AAAA…' [--default]
                                                    a directory on a host over SFTP
  probe TARGET                                      checks a target now
  delete TARGET                                     removes a target that holds no backups`,
  de: `Aufruf: kumulus backup-target <Befehl> [Optionen]

Befehle:
  list                                              Ziele mit Zustand, Gesamt- und freiem Platz
  create NAME --path VERZ [--default]               ein Verzeichnis auf diesem Host
  create NAME --path VERZ --host HOST [--port N] [--user BENUTZER] --key-file DATEI --host-key 'ssh-ed25519 AAAA…' [--default]
                                                    ein Verzeichnis auf einem Host über SFTP
  probe ZIEL                                        prüft ein Ziel jetzt
  delete ZIEL                                       entfernt ein Ziel, das keine Backups enthält`,
};

const gib = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024 ** 3).toFixed(1)} GiB`);
const row = (x: BackupTarget) => [x.name, x.kind + (x.default ? ' *' : ''), x.kind === 'sftp' ? `${x.user}@${x.host}:${x.port}${x.path}` : x.path, x.health.reachable ? t('backupTarget.ok') : `${t('backupTarget.down')}${x.health.error ? `: ${x.health.error.slice(0, 60)}` : ''}`, gib(x.health.freeBytes), gib(x.health.totalBytes)];
const cols = () => headers('col.name', 'col.kind', 'col.path', 'col.health', 'col.free', 'col.total');
const help = () => void process.stdout.write(pick(groupHelp) + '\n');

/** Runs `kumulus backup-target …`. */
export function runBackupTarget(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus backup-target', pick(groupHelp), { list, create, probe, delete: remove });
}

async function list(args: string[]): Promise<void> {
  const { output, help: h } = parseCommand(args, {}, 'kumulus backup-target list');
  if (h) return help();
  const { client } = await connect();
  const items = await backupApi(client).listTargets();
  emit(output, items, () => printTable(cols(), items.map(row)));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus backup-target create';
  const opts = { path: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, user: { type: 'string' }, 'key-file': { type: 'string' }, 'host-key': { type: 'string' }, default: { type: 'boolean' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return help();
  const [name] = takePositionals(positionals, ['NAME'], cmd);
  const path = requireOption(values.path, 'path', cmd);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw usageError(t('usage.badValue', { name: 'port', value: values.port!, expected: '1-65535' }), cmd);
  const { client } = await connect();
  const body = values.host
    ? { name: name!, kind: 'sftp' as const, path, host: values.host, ...(port ? { port } : {}), ...(values.user ? { user: values.user } : {}), privateKey: readFileSync(requireOption(values['key-file'], 'key-file', cmd), 'utf8'), hostKey: requireOption(values['host-key'], 'host-key', cmd), ...(values.default ? { default: true } : {}) }
    : { name: name!, kind: 'dir' as const, path, ...(values.default ? { default: true } : {}) };
  const made = await backupApi(client)
    .createTarget(body)
    .catch((e) => {
      throw e instanceof ApiError ? apiErrorInCliWords(e, { path: '--path', host: '--host', privateKey: '--key-file', hostKey: '--host-key' }) : e;
    });
  emit(output, made, () => printTable(cols(), [row(made)]));
}

async function probe(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup-target probe');
  if (h) return help();
  const [id] = takePositionals(positionals, ['TARGET'], 'kumulus backup-target probe');
  const { client } = await connect();
  const x = await backupApi(client).probeTarget(id!);
  emit(output, x, () => printTable(cols(), [row(x)]));
}

async function remove(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup-target delete');
  if (h) return help();
  const [id] = takePositionals(positionals, ['TARGET'], 'kumulus backup-target delete');
  const { client } = await connect();
  await backupApi(client).deleteTarget(id!);
  emit(output, { deleted: id }, () => say(t('backupTarget.deleted', { name: id! })));
}
