/**
 * `kumulus ssh-key list|add|rename|delete`: the public keys saved in the tenant, picked by id at server create.
 */
import { readFile } from 'node:fs/promises';
import { ApiError, type KumulusClient, type SshKey } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, listOptions, parseCommand, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, CliError, Exit, usageError } from '../errors.ts';
import { expandHome, keyLines, readStdin } from '../input.ts';
import { pick, t } from '../i18n.ts';
import { emit, formatTime, headers, printFields, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus ssh-key <command> [options]

Commands:
  list [--sort KEY[:asc|desc],…] [-l SELECTOR]
                                         the SSH public keys saved in your tenant, sorted (name, created),
                                         only those whose labels match (env=prod,!legacy)
  add [--name NAME] [--label K=V]… (--file PATH | -)
                                         saves one public key, read from a file such as
                                         ~/.ssh/id_ed25519.pub or, with -, from standard input
  rename KEY NAME                        gives a key a new name
  label KEY K=V… [-r K]…                 sets and removes labels; the others stay
  delete KEY                             deletes a key (servers made with it keep it)

KEY is a key's id (key_…) or name. Without --name, a key is named by its comment.
Give saved keys to new servers with kumulus server create --ssh-key-id KEY.

Options:
  -o, --output table|json
      json prints the API's objects: list → [SshKey], add and rename → SshKey,
      delete → the SshKey as it was before.`,
  de: `Aufruf: kumulus ssh-key <Befehl> [Optionen]

Befehle:
  list [--sort SCHLÜSSEL[:asc|desc],…] [-l SELEKTOR]
                                         die öffentlichen SSH-Schlüssel Ihres Mandanten, sortiert (name, created),
                                         nur die, deren Labels passen (env=prod,!legacy)
  add [--name NAME] [--label S=W]… (--file PFAD | -)
                                         speichert einen öffentlichen Schlüssel, gelesen aus einer Datei
                                         wie ~/.ssh/id_ed25519.pub oder, mit -, von der Standardeingabe
  rename SCHLÜSSEL NAME                  benennt einen Schlüssel um
  label SCHLÜSSEL S=W… [-r S]…
                                         setzt und entfernt Labels; die übrigen bleiben
  delete SCHLÜSSEL                       löscht einen Schlüssel (Server, die ihn haben, behalten ihn)

SCHLÜSSEL ist die ID (key_…) oder der Name eines Schlüssels. Ohne --name heißt ein Schlüssel wie sein Kommentar.
Gespeicherte Schlüssel bekommen neue Server mit kumulus server create --ssh-key-id SCHLÜSSEL.

Optionen:
  -o, --output table|json
      json gibt die Objekte der API aus: list → [SshKey], add und rename → SshKey,
      delete → der SshKey, wie er vorher war.`,
};

/** Runs `kumulus ssh-key …`. */
export function runSshKey(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus ssh-key', pick(groupHelp), {
    list: listKeys,
    add: addKey,
    rename: renameKey,
    label: labelCommand({ group: 'kumulus ssh-key', arg: 'KEY', help: () => pick(groupHelp), find: resolveSshKey, save: (c, k, labels) => c.updateSshKey(k.id, { labels }) }),
    delete: deleteKey,
  });
}

async function listKeys(args: string[]): Promise<void> {
  const cmd = 'kumulus ssh-key list';
  const { values, positionals, output, help } = parseCommand(args, listOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const keys = await fetchList((q) => client.listSshKeys(q), values, cmd);
  emit(output, keys, () =>
    printTable(
      headers('col.id', 'col.name', 'col.fingerprint', 'col.created'),
      keys.map((k) => [k.id, k.name, k.fingerprint, formatTime(k.createdAt)]),
    ),
  );
}

async function addKey(args: string[]): Promise<void> {
  const cmd = 'kumulus ssh-key add';
  const { values, positionals, output, help } = parseCommand(args, { name: { type: 'string' }, file: { type: 'string' }, ...labelOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const source = keySource(values.file, positionals, cmd);
  const publicKey = source === '-' ? keyText(await readStdin(), 'stdin') : await readKeyFile(source);
  const { client } = await connect();
  const key = await client.createSshKey({ name: values.name, publicKey, ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) }).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { name: '--name', publicKey: source === '-' ? 'stdin' : '--file' }) : err;
  });
  emit(output, key, () => printKey(key));
}

async function renameKey(args: string[]): Promise<void> {
  const cmd = 'kumulus ssh-key rename';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref, name] = takePositionals(positionals, ['KEY', 'NAME'], cmd);
  const { client } = await connect();
  const key = await client.renameSshKey((await resolveSshKey(client, ref!)).id, name!).catch((err) => {
    throw err instanceof ApiError ? apiErrorInCliWords(err, { name: 'NAME' }) : err;
  });
  emit(output, key, () => printKey(key));
}

async function deleteKey(args: string[]): Promise<void> {
  const cmd = 'kumulus ssh-key delete';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['KEY'], cmd);
  const { client } = await connect();
  // Read first: the DELETE answers no body, and the key's name makes the confirmation and the JSON useful.
  const key = await resolveSshKey(client, ref!);
  await client.deleteSshKey(key.id);
  emit(output, key, () => say(t('sshKey.deleted', { name: key.name, id: key.id })));
}

/** A key by its id or, failing the id's shape, by its name (unique in a tenant); exit 3 when there is none. */
async function resolveSshKey(client: KumulusClient, ref: string): Promise<SshKey> {
  if (/^key_[0-9a-z]{20,32}$/.test(ref)) return client.getSshKey(ref);
  const key = (await client.all((q) => client.listSshKeys(q))).find((k) => k.name === ref);
  if (!key) throw new CliError(Exit.notFound, 'NOT_FOUND', t('sshKey.notFound', { ref }));
  return key;
}

function printKey(k: SshKey): void {
  printFields([
    [t('field.id'), k.id],
    [t('field.name'), k.name],
    [t('field.fingerprint'), k.fingerprint],
    [t('field.publicKey'), k.publicKey],
    [t('field.created'), formatTime(k.createdAt)],
  ]);
}

// Exactly one source, --file PATH or `-` for standard input, so that a pipe is never read by accident.
function keySource(file: string | undefined, positionals: string[], cmd: string): string {
  if (file !== undefined) {
    takePositionals(positionals, [], cmd);
    return file;
  }
  if (positionals.length === 0 || positionals[0] !== '-') throw usageError(t('usage.sshKeySource'), cmd);
  takePositionals(positionals, ['-'], cmd);
  return '-';
}

async function readKeyFile(file: string): Promise<string> {
  const text = await readFile(expandHome(file), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new CliError(Exit.invalidInput, 'SSH_KEY_FILE_NOT_FOUND', t('sshKey.noFile', { file })) : err;
  });
  return keyText(text, file);
}

// Whether what is left is one valid key line is the API's to say.
function keyText(text: string, source: string): string {
  const lines = keyLines(text, source);
  if (lines.length === 0) throw new CliError(Exit.invalidInput, 'SSH_KEY_FILE_EMPTY', t('sshKey.empty', { source }));
  return lines.join('\n');
}
