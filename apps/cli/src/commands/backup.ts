/**
 * `kumulus backup list|create|show|restore|update|delete`: backups of a server's disks, each
 * verified by reading it back. A restore into the same server asks for its name typed out.
 */
import { ApiError, type Backup, type BackupMode, backupApi, type KumulusClient, type Operation } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, statusListOptions, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printFields, printJson, printTable, say } from '../output.ts';
import { followOperation } from '../progress.ts';

const groupHelp = {
  en: `Usage: kumulus backup <command> [options]

Commands:
  list [--server SERVER] [-l SELECTOR] [--status PHASE,…]
                                                    backups with size, deduplicated size and verification (--status: Ready, Failed …)
  create SERVER [--mode snapshot|suspend|stop] [--target TARGET] [--notes TEXT] [--protect] [--label K=V]…
                                                    backs up the root disk and attached volumes
  show BACKUP                                       one backup in full
  restore BACKUP --confirm SERVER-NAME              writes the backup back into its server (stopped around it)
  restore BACKUP --new NAME                         restores it as a new server
  verify BACKUP                                     proves it again: restored into a throwaway server, booted, checked
  update BACKUP [--notes TEXT] [--protect | --unprotect]
  label BACKUP KEY=VALUE… [-r KEY]…                 sets and removes labels; the others stay
  delete BACKUP                                     deletes a backup (not a protected one)
  overdue [--tenant all|TENANT-ID]                  operators: servers whose latest verified-good backup is older
                                                    than their schedule promises

Options of the changing commands:
  --no-wait              return once the operation is accepted
  --timeout SECONDS      how long to wait (default 1800)
  -o, --output table|json`,
  de: `Aufruf: kumulus backup <Befehl> [Optionen]

Befehle:
  list [--server SERVER] [-l SELEKTOR] [--status PHASE,…]
                                                    Backups mit Größe, deduplizierter Größe und Prüfung (--status: Ready, Failed …)
  create SERVER [--mode snapshot|suspend|stop] [--target ZIEL] [--notes TEXT] [--protect] [--label S=W]…
                                                    sichert Systemdisk und angehängte Volumes
  show BACKUP                                       ein Backup vollständig
  restore BACKUP --confirm SERVERNAME               spielt das Backup in seinen Server zurück (dafür gestoppt)
  restore BACKUP --new NAME                         stellt es als neuen Server wieder her
  verify BACKUP                                     prüft es erneut: in einen Wegwerf-Server wiederhergestellt, gestartet, geprüft
  update BACKUP [--notes TEXT] [--protect | --unprotect]
  label BACKUP SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…      setzt und entfernt Labels; die übrigen bleiben
  delete BACKUP                                     löscht ein Backup (kein geschütztes)
  overdue [--tenant all|MANDANTEN-ID]               Betreiber: Server, deren letztes geprüftes Backup älter ist,
                                                    als ihr Zeitplan verspricht

Optionen der ändernden Befehle:
  --no-wait              zurückkehren, sobald der Vorgang angenommen ist
  --timeout SEKUNDEN     wie lange gewartet wird (Standard 1800)
  -o, --output table|json`,
};

/** The backup modes, as the API names them. */
export const MODES: readonly string[] = ['snapshot', 'suspend', 'stop'];
const waitOptions = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
const mib = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const verified = (b: Backup) => `${b.status.verification.state}${b.status.verification.checkedAt ? ` ${formatTime(b.status.verification.checkedAt)}` : ''}`;
const help = () => void process.stdout.write(pick(groupHelp) + '\n');
const cliWords = (err: unknown) => (err instanceof ApiError ? apiErrorInCliWords(err, { confirm: '--confirm', name: '--new', notes: '--notes', mode: '--mode', target: '--target' }) : err);

/** Runs `kumulus backup …`. */
export function runBackup(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus backup', pick(groupHelp), {
    list,
    create,
    show,
    restore,
    verify,
    update,
    label: labelCommand({ group: 'kumulus backup', arg: 'BACKUP', help: () => pick(groupHelp), find: (c, ref) => backupApi(c).get(ref), save: (c, b, labels) => backupApi(c).update(b.id, { labels }) }),
    delete: remove,
    overdue,
  });
}

async function overdue(args: string[]): Promise<void> {
  const cmd = 'kumulus backup overdue';
  const { values, positionals, output, help: h } = parseCommand(args, { tenant: { type: 'string' } }, cmd);
  if (h) return help();
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const { items } = await backupApi(client).overdue(values.tenant ? { tenant: values.tenant } : {});
  emit(output, items, () =>
    items.length === 0
      ? say(t('backup.noneOverdue'))
      : printTable(
          headers('col.tenant', 'col.server', 'col.schedule', 'col.promised', 'col.lastGood'),
          items.map((x) => [x.tenantId, x.server.name, x.schedule.name, formatTime(x.promisedAt), x.lastGoodAt ? formatTime(x.lastGoodAt) : '-']),
        ),
  );
}

async function list(args: string[]): Promise<void> {
  const { values, positionals, output, help: h } = parseCommand(args, { server: { type: 'string' }, ...statusListOptions }, 'kumulus backup list');
  if (h) return help();
  takePositionals(positionals, [], 'kumulus backup list');
  const { client } = await connect();
  const api = backupApi(client);
  const items = await fetchList((q) => api.list({ ...q, ...(values.server ? { server: values.server } : {}) }), values, 'kumulus backup list');
  emit(output, items, () =>
    printTable(
      headers('col.id', 'col.server', 'col.phase', 'col.size', 'col.dedup', 'col.verified', 'col.taken', 'col.notes'),
      items.map((b) => [b.id, b.server.name, b.status.phase + (b.protected ? ' 🔒' : ''), mib(b.status.sizeBytes), mib(b.status.dedupBytes), verified(b), b.status.takenAt ? formatTime(b.status.takenAt) : '-', b.notes || '-']),
    ),
  );
}

async function show(args: string[]): Promise<void> {
  const { positionals, output, help: h } = parseCommand(args, {}, 'kumulus backup show');
  if (h) return help();
  const [id] = takePositionals(positionals, ['BACKUP'], 'kumulus backup show');
  const { client } = await connect();
  const b = await backupApi(client).get(id!);
  emit(output, b, () =>
    printFields([
      [t('col.id'), b.id],
      [t('col.server'), `${b.server.name} (${b.server.id})`],
      [t('col.phase'), b.status.phase],
      ['mode', b.mode],
      [t('col.size'), mib(b.status.sizeBytes)],
      [t('col.dedup'), mib(b.status.dedupBytes)],
      [t('col.verified'), `${verified(b)}${b.status.verification.booted ? ' (booted)' : ''} ${b.status.verification.detail}`],
      [t('col.taken'), b.status.takenAt ? formatTime(b.status.takenAt) : '-'],
      [t('col.notes'), b.notes || '-'],
      ['protected', String(b.protected)],
    ]),
  );
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus backup create';
  const { values, positionals, output, help: h } = parseCommand(args, { ...waitOptions, mode: { type: 'string' }, target: { type: 'string' }, notes: { type: 'string' }, protect: { type: 'boolean' }, ...labelOptions }, cmd);
  if (h) return help();
  const [server] = takePositionals(positionals, ['SERVER'], cmd);
  if (values.mode && !MODES.includes(values.mode)) throw usageError(t('usage.badValue', { name: 'mode', value: values.mode, expected: MODES.join('|') }), cmd);
  const { client } = await connect();
  const made = await backupApi(client)
    .create(server!, { ...(values.mode ? { mode: values.mode as BackupMode } : {}), ...(values.target ? { target: values.target } : {}), ...(values.notes ? { notes: values.notes } : {}), ...(values.protect ? { protected: true } : {}), ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) })
    .catch((e) => {
      throw cliWords(e);
    });
  await finish(client, made.operation, made.backup.id, values, output, cmd, 'backup.created');
}

async function restore(args: string[]): Promise<void> {
  const cmd = 'kumulus backup restore';
  const { values, positionals, output, help: h } = parseCommand(args, { ...waitOptions, confirm: { type: 'string' }, new: { type: 'string' } }, cmd);
  if (h) return help();
  const [id] = takePositionals(positionals, ['BACKUP'], cmd);
  if (!!values.confirm === !!values.new) throw usageError(t('usage.restoreInto'), cmd);
  const { client } = await connect();
  const started = await backupApi(client)
    .restore(id!, values.new ? { into: 'new', name: values.new } : { into: 'same', confirm: requireOption(values.confirm, 'confirm', cmd) })
    .catch((e) => {
      throw cliWords(e);
    });
  await finish(client, started.operation, started.server.name, values, output, cmd, 'backup.restored');
}

async function verify(args: string[]): Promise<void> {
  const cmd = 'kumulus backup verify';
  const { values, positionals, output, help: h } = parseCommand(args, waitOptions, cmd);
  if (h) return help();
  const [id] = takePositionals(positionals, ['BACKUP'], cmd);
  const { client } = await connect();
  const api = backupApi(client);
  const op = await api.verify(id!).catch((e) => {
    throw cliWords(e);
  });
  if (values['no-wait']) return emit(output, op, () => say(t('server.actionAccepted', { op: op.id })));
  await followOperation(client, op, { timeoutSeconds: parseSeconds(values.timeout, 1800, 'timeout', cmd), format: output, label: id! });
  const b = await api.get(id!);
  emit(output, b, () => say(`${verified(b)}: ${b.status.verification.detail}`));
  // A bad backup is a failure for scripts too.
  if (b.status.verification.state !== 'good') process.exitCode = 1;
}

async function update(args: string[]): Promise<void> {
  const cmd = 'kumulus backup update';
  const { values, positionals, output, help: h } = parseCommand(args, { notes: { type: 'string' }, protect: { type: 'boolean' }, unprotect: { type: 'boolean' } }, cmd);
  if (h) return help();
  const [id] = takePositionals(positionals, ['BACKUP'], cmd);
  const { client } = await connect();
  const b = await backupApi(client).update(id!, { ...(values.notes !== undefined ? { notes: values.notes } : {}), ...(values.protect ? { protected: true } : values.unprotect ? { protected: false } : {}) });
  emit(output, b, () => say(t('backup.updated', { id: b.id })));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus backup delete';
  const { values, positionals, output, help: h } = parseCommand(args, waitOptions, cmd);
  if (h) return help();
  const [id] = takePositionals(positionals, ['BACKUP'], cmd);
  const { client } = await connect();
  const op = await backupApi(client)
    .delete(id!)
    .catch((e) => {
      throw cliWords(e);
    });
  await finish(client, op, id!, values, output, cmd, 'backup.deleted');
}

async function finish(client: KumulusClient, accepted: Operation, name: string, values: { 'no-wait'?: boolean; timeout?: string }, output: 'table' | 'json', cmd: string, done: 'backup.created' | 'backup.restored' | 'backup.deleted'): Promise<void> {
  if (values['no-wait']) return emit(output, accepted, () => say(t('server.actionAccepted', { op: accepted.id })));
  const timeoutSeconds = parseSeconds(values.timeout, 1800, 'timeout', cmd);
  const op = await followOperation(client, accepted, { timeoutSeconds, format: output, label: name });
  if (output === 'json') return printJson(op);
  say(t(done, { name }));
}
