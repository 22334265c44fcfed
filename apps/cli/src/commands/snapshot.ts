/**
 * `kumulus snapshot list|create|rollback|delete`: snapshots of a server's root disk (--server) or
 * of a volume (--volume). A rollback asks for the snapshot's name typed out (--confirm).
 */
import { ApiError, type KumulusClient, type Operation, type SnapshotOwner } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, statusListOptions, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printJson, printTable, say } from '../output.ts';
import { followOperation } from '../progress.ts';

const groupHelp = {
  en: `Usage: kumulus snapshot <command> (--server SERVER | --volume VOLUME) [options]

Commands:
  list [-l SELECTOR] [--status PHASE,…]       the snapshots with their size, space used and time (--status: Ready, Failed …)
  create --name NAME [--description TEXT] [--label K=V]…
                                              takes a consistent snapshot (the guest frozen for a moment)
  rollback SNAPSHOT --confirm SNAPSHOT-NAME   puts the disk back to the snapshot; the server is stopped and
                                              started around it, and everything written since is lost
  label SNAPSHOT KEY=VALUE… [-r KEY]… (--server SERVER | --volume VOLUME)
                                              sets and removes labels; the others stay
  clone SNAPSHOT --name NAME [--as volume|server]
                                              makes a new volume holding the snapshot, or (--as server, from a
                                              server snapshot) a new server with its files, own name and address
  delete SNAPSHOT                             deletes a snapshot

SNAPSHOT is a snapshot's id (snp_…) or name.

Options of the changing commands:
  --no-wait              return once the operation is accepted, without waiting for it
  --timeout SECONDS      how long to wait for the operation (default 600)
  -o, --output table|json`,
  de: `Aufruf: kumulus snapshot <Befehl> (--server SERVER | --volume VOLUME) [Optionen]

Befehle:
  list [-l SELEKTOR] [--status PHASE,…]       die Snapshots mit Größe, belegtem Platz und Zeitpunkt (--status: Ready, Failed …)
  create --name NAME [--description TEXT] [--label S=W]…
                                              legt einen konsistenten Snapshot an (der Gast steht dafür kurz still)
  rollback SNAPSHOT --confirm SNAPSHOT-NAME   spielt den Snapshot zurück; der Server wird dafür gestoppt und wieder
                                              gestartet, und alles seither Geschriebene geht verloren
  label SNAPSHOT SCHLÜSSEL=WERT… [-r SCHLÜSSEL]… (--server SERVER | --volume VOLUME)
                                              setzt und entfernt Labels; die übrigen bleiben
  clone SNAPSHOT --name NAME [--as volume|server]
                                              legt ein neues Volume mit dem Snapshot an oder (--as server, aus einem
                                              Server-Snapshot) einen neuen Server mit dessen Dateien, eigenem Namen und eigener Adresse
  delete SNAPSHOT                             löscht einen Snapshot

SNAPSHOT ist die ID (snp_…) oder der Name eines Snapshots.

Optionen der ändernden Befehle:
  --no-wait              zurückkehren, sobald der Vorgang angenommen ist, ohne auf ihn zu warten
  --timeout SEKUNDEN     wie lange auf den Vorgang gewartet wird (Standard 600)
  -o, --output table|json`,
};

const ownerOptions = { server: { type: 'string' }, volume: { type: 'string' } } as const;
const waitOptions = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Runs `kumulus snapshot …`. */
export function runSnapshot(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus snapshot', pick(groupHelp), {
    list,
    create,
    rollback: (a) => change(a, 'rollback'),
    clone,
    label: labelCommand({
      group: 'kumulus snapshot',
      arg: 'SNAPSHOT',
      help: () => pick(groupHelp),
      options: ownerOptions,
      find: (c, ref, values) => {
        const owner = ownerOf(values as { server?: string; volume?: string }, 'kumulus snapshot label');
        return c.getSnapshot(owner.of, owner.id, ref);
      },
      save: (c, s, labels, values) => {
        const owner = ownerOf(values as { server?: string; volume?: string }, 'kumulus snapshot label');
        return c.updateSnapshot(owner.of, owner.id, s.id, { labels });
      },
    }),
    delete: (a) => change(a, 'delete'),
  });
}

/** The owner named by --server or --volume (exactly one). */
function ownerOf(values: { server?: string; volume?: string }, cmd: string): { of: SnapshotOwner; id: string } {
  if (!!values.server === !!values.volume) throw usageError(t('usage.snapshotOwner'), cmd);
  return values.server ? { of: 'servers', id: values.server } : { of: 'volumes', id: values.volume! };
}

const mib = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus snapshot list';
  const { values, positionals, output, help } = parseCommand(args, { ...ownerOptions, ...statusListOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const owner = ownerOf(values, cmd);
  const { client } = await connect();
  const items = await fetchList((q) => client.listSnapshots(owner.of, owner.id, q), values, cmd);
  emit(output, items, () =>
    printTable(
      headers('col.id', 'col.name', 'col.phase', 'col.size', 'col.used', 'col.taken', 'col.description'),
      items.map((s) => [s.id, s.name, s.status.phase, mib(s.status.sizeBytes), mib(s.status.usedBytes), s.status.takenAt ? formatTime(s.status.takenAt) : '-', s.description || '-']),
    ),
  );
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus snapshot create';
  const { values, positionals, output, help } = parseCommand(args, { ...ownerOptions, ...waitOptions, name: { type: 'string' }, description: { type: 'string' }, ...labelOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const owner = ownerOf(values, cmd);
  const name = requireOption(values.name, 'name', cmd);
  const { client } = await connect();
  const made = await client.createSnapshot(owner.of, owner.id, { name, ...(values.description ? { description: values.description } : {}), ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) }).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { name: '--name', description: '--description' }) : err;
  });
  await finish(client, made.operation, name, values, output, cmd, 'snapshot.created');
}

async function change(args: string[], action: 'rollback' | 'delete'): Promise<void> {
  const cmd = `kumulus snapshot ${action}`;
  const { values, positionals, output, help } = parseCommand(args, { ...ownerOptions, ...waitOptions, confirm: { type: 'string' } }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['SNAPSHOT'], cmd);
  const owner = ownerOf(values, cmd);
  const { client } = await connect();
  const accepted = await (action === 'rollback'
    ? client.rollbackSnapshot(owner.of, owner.id, ref!, { confirm: requireOption((values as { confirm?: string }).confirm, 'confirm', cmd) })
    : client.deleteSnapshot(owner.of, owner.id, ref!)
  ).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { confirm: '--confirm' }) : err;
  });
  await finish(client, accepted, ref!, values, output, cmd, action === 'rollback' ? 'snapshot.rolledBack' : 'snapshot.deleted');
}

async function clone(args: string[]): Promise<void> {
  const cmd = 'kumulus snapshot clone';
  const { values, positionals, output, help } = parseCommand(args, { ...ownerOptions, ...waitOptions, name: { type: 'string' }, as: { type: 'string' } }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['SNAPSHOT'], cmd);
  const owner = ownerOf(values, cmd);
  const as = values.as ?? 'volume';
  if (as !== 'volume' && as !== 'server') throw usageError(t('usage.badValue', { name: 'as', value: as, expected: 'volume or server' }), cmd);
  if (as === 'server' && owner.of !== 'servers') throw usageError(t('usage.cloneAsServer'), cmd);
  const name = requireOption(values.name, 'name', cmd);
  const { client } = await connect();
  const made = await (as === 'server' ? client.cloneSnapshotToServer(owner.id, ref!, { name }) : client.cloneSnapshot(owner.of, owner.id, ref!, { name })).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { name: '--name' }) : err;
  });
  await finish(client, made.operation, name, values, output, cmd, as === 'server' ? 'snapshot.clonedServer' : 'snapshot.clonedVolume');
}

async function finish(
  client: KumulusClient,
  accepted: Operation,
  name: string,
  values: { 'no-wait'?: boolean; timeout?: string },
  output: 'table' | 'json',
  cmd: string,
  done: 'snapshot.created' | 'snapshot.rolledBack' | 'snapshot.deleted' | 'snapshot.clonedVolume' | 'snapshot.clonedServer',
): Promise<void> {
  if (values['no-wait']) return emit(output, accepted, () => say(t('server.actionAccepted', { op: accepted.id })));
  const timeoutSeconds = parseSeconds(values.timeout, 600, 'timeout', cmd);
  const op = await followOperation(client, accepted, { timeoutSeconds, format: output, label: name });
  if (output === 'json') return printJson(op);
  say(t(done, { name }));
}
