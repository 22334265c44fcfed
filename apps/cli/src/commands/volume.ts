/**
 * `kumulus volume list|show|create|attach|detach|resize|delete`: block volumes sized in whole GB,
 * mounted into one server at a time. Changes follow their operation to its end.
 */
import { ApiError, type KumulusClient, type Operation, type Volume } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, statusListOptions, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, CliError, Exit, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printFields, printJson, printTable, say } from '../output.ts';
import { followOperation } from '../progress.ts';

const groupHelp = {
  en: `Usage: kumulus volume <command> [options]

Commands:
  list [--sort KEY[:asc|desc],…] [-l SELECTOR] [--status PHASE,…]
                                                   your volumes, sorted (name, created), only those whose labels match
                                                   and (--status) in those phases (Available, Attached, Failed …)
  show VOLUME                                      one volume: size, format, where it is attached
  create --name NAME --size GB [--format ext4|xfs] makes a volume (ext4 unless told)
  attach VOLUME SERVER [--path PATH]               mounts it in a server (at /mnt/<volume name> by default)
  detach VOLUME                                    unmounts it; the data stays
  resize VOLUME --size GB                          grows it and its filesystem (never shrinks)
  label VOLUME KEY=VALUE… [-r KEY]…                sets and removes labels; the others stay
  delete VOLUME                                    deletes a detached volume and its data
  protect VOLUME / unprotect VOLUME                refuses its deletion until lifted, or lifts that

VOLUME is a volume's id (vol_…) or name; SERVER a server's id or name.

Options of the changing commands:
  --no-wait              return once the operation is accepted, without waiting for it
  --timeout SECONDS      how long to wait for the operation (default 600)
  -o, --output table|json
      json prints the API's objects: list → [Volume], show → Volume, the others → the finished Operation.`,
  de: `Aufruf: kumulus volume <Befehl> [Optionen]

Befehle:
  list [--sort SCHLÜSSEL[:asc|desc],…] [-l SELEKTOR] [--status PHASE,…]
                                                   Ihre Volumes, sortiert (name, created), nur die mit passenden Labels
                                                   und (--status) in diesen Phasen (Available, Attached, Failed …)
  show VOLUME                                      ein Volume: Größe, Format, wo es angehängt ist
  create --name NAME --size GB [--format ext4|xfs] legt ein Volume an (ext4, wenn nichts anderes gesagt ist)
  attach VOLUME SERVER [--path PFAD]               hängt es in einen Server ein (standardmäßig unter /mnt/<Volume-Name>)
  detach VOLUME                                    hängt es ab; die Daten bleiben
  resize VOLUME --size GB                          vergrößert es samt Dateisystem (verkleinert nie)
  label VOLUME SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…     setzt und entfernt Labels; die übrigen bleiben
  delete VOLUME                                    löscht ein abgehängtes Volume samt Daten
  protect VOLUME / unprotect VOLUME                verweigert sein Löschen bis auf Weiteres, oder hebt das auf

VOLUME ist die ID (vol_…) oder der Name eines Volumes; SERVER die ID oder der Name eines Servers.

Optionen der ändernden Befehle:
  --no-wait              zurückkehren, sobald der Vorgang angenommen ist, ohne auf ihn zu warten
  --timeout SEKUNDEN     wie lange auf den Vorgang gewartet wird (Standard 600)
  -o, --output table|json
      json gibt die Objekte der API aus: list → [Volume], show → Volume, die anderen → der beendete Vorgang (Operation).`,
};

const waitOptions = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Runs `kumulus volume …`. */
export function runVolume(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus volume', pick(groupHelp), {
    list: listVolumes,
    show: showVolume,
    create: createVolume,
    attach: (a) => change(a, 'attach', { path: { type: 'string' } }, ['VOLUME', 'SERVER']),
    detach: (a) => change(a, 'detach', {}, ['VOLUME']),
    resize: (a) => change(a, 'resize', { size: { type: 'string' } }, ['VOLUME']),
    delete: (a) => change(a, 'delete', {}, ['VOLUME']),
    protect: (a) => protect(a, true),
    unprotect: (a) => protect(a, false),
    label: labelCommand({ group: 'kumulus volume', arg: 'VOLUME', help: () => pick(groupHelp), find: resolveVolume, save: (c, v, labels) => c.updateVolume(v.id, { labels }) }),
  });
}

async function protect(args: string[], on: boolean): Promise<void> {
  const cmd = `kumulus volume ${on ? 'protect' : 'unprotect'}`;
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['VOLUME'], cmd);
  const { client } = await connect();
  const v = await client.updateVolume((await resolveVolume(client, ref!)).id, { protected: on });
  emit(output, v, () => say(t(on ? 'volume.protected' : 'volume.unprotected', { name: v.name })));
}

async function listVolumes(args: string[]): Promise<void> {
  const cmd = 'kumulus volume list';
  const { values, positionals, output, help } = parseCommand(args, statusListOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const volumes = await fetchList((q) => client.listVolumes(q), values, cmd);
  emit(output, volumes, () =>
    printTable(
      headers('col.id', 'col.name', 'col.size', 'col.format', 'col.phase', 'col.attachment', 'col.created'),
      volumes.map((v) => [v.id, v.name, `${v.spec.sizeGb} GB`, v.spec.format, v.status.phase, attachmentText(v), formatTime(v.createdAt)]),
    ),
  );
}

async function showVolume(args: string[]): Promise<void> {
  const cmd = 'kumulus volume show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['VOLUME'], cmd);
  const { client } = await connect();
  const v = await resolveVolume(client, ref!);
  emit(output, v, () => printVolume(v));
}

async function createVolume(args: string[]): Promise<void> {
  const cmd = 'kumulus volume create';
  const { values, positionals, output, help } = parseCommand(args, { ...waitOptions, name: { type: 'string' }, size: { type: 'string' }, format: { type: 'string' }, ...labelOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const name = requireOption(values.name, 'name', cmd);
  const sizeGb = parseSize(values.size, cmd);
  const { client } = await connect();
  const created = await client.createVolume({ name, sizeGb, ...(values.format ? { format: values.format as 'ext4' | 'xfs' } : {}), ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) }).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { name: '--name', sizeGb: '--size', format: '--format' }) : err;
  });
  await finish(client, created.operation, created.volume, values, output, cmd);
}

// attach, detach, resize and delete share one shape: accept an operation, then follow it to its end.
async function change(args: string[], action: 'attach' | 'detach' | 'resize' | 'delete', extra: Record<string, { type: 'string' }>, names: string[]): Promise<void> {
  const cmd = `kumulus volume ${action}`;
  const { values, positionals, output, help } = parseCommand(args, { ...waitOptions, ...extra }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref, server] = takePositionals(positionals, names, cmd);
  const { client } = await connect();
  const v = await resolveVolume(client, ref!);
  const words = { server: 'SERVER', path: '--path', sizeGb: '--size' };
  // Each subcommand parsed only its own extra option; parseArgs' types cannot follow `extra`.
  const { path, size } = values as { path?: string; size?: string };
  const accepted = await (async () => {
    if (action === 'attach') return client.attachVolume(v.id, { server: server!, ...(path ? { path } : {}) });
    if (action === 'detach') return client.detachVolume(v.id);
    if (action === 'resize') return client.resizeVolume(v.id, { sizeGb: parseSize(size, cmd) });
    return client.deleteVolume(v.id);
  })().catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, words) : err;
  });
  await finish(client, accepted, v, values, output, cmd, action === 'delete');
}

async function finish(client: KumulusClient, accepted: Operation, v: Volume, values: { 'no-wait'?: boolean; timeout?: string }, output: 'table' | 'json', cmd: string, deleted = false): Promise<void> {
  if (values['no-wait']) return emit(output, accepted, () => say(t('server.actionAccepted', { op: accepted.id })));
  const timeoutSeconds = parseSeconds(values.timeout, 600, 'timeout', cmd);
  const op = await followOperation(client, accepted, { timeoutSeconds, format: output, label: v.name });
  if (output === 'json') return printJson(op);
  if (deleted) return say(t('volume.deleted', { name: v.name, id: v.id }));
  const after = await client.getVolume(v.id);
  say(t('volume.done', { name: after.name, phase: after.status.phase }));
}

function parseSize(value: string | undefined, cmd: string): number {
  const text = requireOption(value, 'size', cmd);
  if (!/^[1-9][0-9]*$/.test(text)) throw usageError(t('usage.volumeSize'), cmd);
  return Number(text);
}

/** A volume by its id or, failing the id's shape, by its name; exit 3 when there is none. */
async function resolveVolume(client: KumulusClient, ref: string): Promise<Volume> {
  try {
    return await client.getVolume(ref);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new CliError(Exit.notFound, 'VOLUME_NOT_FOUND', t('volume.notFound', { ref }));
    throw err;
  }
}

const attachmentText = (v: Volume) => (v.status.attachment ? `${v.status.attachment.server}:${v.status.attachment.path}` : '-');

function printVolume(v: Volume): void {
  printFields([
    [t('field.id'), v.id],
    [t('field.name'), v.name],
    [t('field.size'), `${v.spec.sizeGb} GB`],
    [t('field.format'), v.spec.format],
    [t('field.phase'), v.status.phase],
    [t('field.protected'), v.protected ? t('yes') : t('no')],
    [t('field.attachment'), attachmentText(v)],
    [t('field.used'), v.status.usedBytes === null ? '-' : `${(v.status.usedBytes / 1024 ** 2).toFixed(1)} MiB`],
    [t('field.labels'), Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(', ') || '-'],
    [t('field.node'), v.status.node ?? '-'],
    [t('field.created'), formatTime(v.createdAt)],
  ]);
}
