/**
 * `kumulus operation list|show|wait`: the slow changes (create, start, delete …) and how far they are.
 */
import type { Operation } from '@kumulus/api';
import { dispatch, fetchList, parseCommand, parseSeconds, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, headers, say, printFields, printTable } from '../output.ts';
import { followOperation } from '../progress.ts';

const groupHelp = {
  en: `Usage: kumulus operation <command> [options]

Commands:
  list [--all] [--state STATE]   operations (--all: of every tenant, operators only)
  show ID                        one operation: state, progress, step, error
  wait ID [--timeout SECONDS]    waits for the operation to end, drawing its progress (default 600 s)

Options:
  -o, --output table|json        output format (json: the API's Operation objects)

wait exits 0 when the operation succeeded, 7 when it failed, 8 when the timeout passed first.`,
  de: `Aufruf: kumulus operation <Befehl> [Optionen]

Befehle:
  list [--all] [--state ZUSTAND] Vorgänge (--all: aller Mandanten, nur Betreiber)
  show ID                        ein Vorgang: Zustand, Fortschritt, Schritt, Fehler
  wait ID [--timeout SEKUNDEN]   wartet auf das Ende des Vorgangs und zeigt den Fortschritt (Standard 600 s)

Optionen:
  -o, --output table|json        Ausgabeformat (json: die Operation-Objekte der API)

wait endet mit 0, wenn der Vorgang gelang, mit 7, wenn er fehlschlug, mit 8 nach Ablauf der Wartezeit.`,
};

/** Runs `kumulus operation …`. */
export function runOperation(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus operation', pick(groupHelp), { list: listOperations, show: showOperation, wait: waitOperation });
}

async function listOperations(args: string[]): Promise<void> {
  const cmd = 'kumulus operation list';
  const { values, positionals, output, help } = parseCommand(args, { all: { type: 'boolean' }, state: { type: 'string' }, ...sortOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const scope = values.all ? 'all' : undefined;
  const ops = await fetchList((q) => client.listOperations({ ...q, scope, state: values.state }), values, cmd);
  emit(output, ops, () =>
    printTable(
      headers('col.id', 'col.kind', 'col.target', 'col.state', 'col.progress', 'col.created', 'col.step'),
      ops.map((o) => [o.id, o.kind, o.target.id, o.state, `${o.progress}%`, formatTime(o.createdAt), o.error?.message ?? o.step]),
    ),
  );
}

async function showOperation(args: string[]): Promise<void> {
  const cmd = 'kumulus operation show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [id] = takePositionals(positionals, ['ID'], cmd);
  const { client } = await connect();
  const op = await client.getOperation(id!);
  emit(output, op, () => printOperation(op));
}

async function waitOperation(args: string[]): Promise<void> {
  const cmd = 'kumulus operation wait';
  const { values, positionals, output, help } = parseCommand(args, { timeout: { type: 'string' } }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [id] = takePositionals(positionals, ['ID'], cmd);
  const timeoutSeconds = parseSeconds(values.timeout, 600, 'timeout', cmd);
  const { client } = await connect();
  const start = await client.getOperation(id!);
  const op = await followOperation(client, start, { timeoutSeconds, format: output, label: start.kind });
  emit(output, op, () => say(t('operation.succeeded', { id: op.id })));
}

// Labelled fields rather than a one-row table: the error message can be long.
function printOperation(op: Operation): void {
  printFields([
    [t('field.id'), op.id],
    [t('field.kind'), op.kind],
    [t('field.target'), `${op.target.type} ${op.target.id}`],
    [t('field.state'), op.state],
    [t('field.progress'), `${op.progress}%`],
    [t('field.step'), op.step],
    [t('field.error'), op.error ? `[${op.error.code}] ${op.error.message}` : ''],
    [t('field.created'), formatTime(op.createdAt)],
    [t('field.started'), formatTime(op.startedAt)],
    [t('field.finished'), formatTime(op.finishedAt)],
  ]);
}
