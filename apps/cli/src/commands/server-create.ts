/**
 * `kumulus server create`: sends the spec, then draws the create operation's progress until the server runs.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApiError, type CreateServer } from '@kumulus/api';
import { labelOptions, labelsOf, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { apiErrorInCliWords, CliError, Exit, usageError } from '../errors.ts';
import { pick, t } from '../i18n.ts';
import { expandHome, keyLines, readStdin } from '../input.ts';
import { emit, say } from '../output.ts';
import { followOperation } from '../progress.ts';
import { printServer } from './server-view.ts';

const help = {
  en: `Usage: kumulus server create --name NAME --plan PLAN --image IMAGE [options]

Creates a server and, unless --no-wait, draws its progress until it is Running.

Options:
  --name NAME            the server's name: lower-case letters, digits, dashes
  --plan PLAN            its size, by name or id (kumulus plan list)
  --image IMAGE          its operating system, by name or id (kumulus image list)
  --kind container|vm    container (default) or virtual machine
  --hostname HOSTNAME    the guest's hostname (default: the name)
  --password PASSWORD    root password (visible in the process list; prefer --password-stdin)
  --password-stdin       reads the root password from standard input
  --ssh-key FILE_OR_KEY  an SSH public key, or a file of keys; may be repeated
  --ssh-key-id KEY       a key saved with kumulus ssh-key add, by id (key_…) or name; may be repeated
  --nic NETWORK[=IP]     a NIC on one of your networks (or "default"), optionally at a fixed
                         address; may be repeated, in the order eth0, eth1 … (default: one on "default")
  --label KEY=VALUE      a label (KEY alone: an empty value); may be repeated
  --no-start             create it stopped
  --no-wait              return once the server is accepted
  --timeout SECONDS      how long to wait (default 600)
  -o, --output table|json
      json prints {"server": Server, "operation": Operation}, both as they are at the end.`,
  de: `Aufruf: kumulus server create --name NAME --plan TARIF --image IMAGE [Optionen]

Legt einen Server an und zeigt, außer mit --no-wait, den Fortschritt, bis er läuft (Running).

Optionen:
  --name NAME            Name des Servers: Kleinbuchstaben, Ziffern, Bindestriche
  --plan TARIF           seine Größe, per Name oder ID (kumulus plan list)
  --image IMAGE          sein Betriebssystem, per Name oder ID (kumulus image list)
  --kind container|vm    Container (Standard) oder virtuelle Maschine
  --hostname HOSTNAME    Hostname im Gast (Standard: der Name)
  --password PASSWORT    Root-Passwort (in der Prozessliste sichtbar; besser --password-stdin)
  --password-stdin       liest das Root-Passwort von der Standardeingabe
  --ssh-key DATEI_ODER_SCHLÜSSEL  ein öffentlicher SSH-Schlüssel oder eine Datei mit Schlüsseln; wiederholbar
  --ssh-key-id SCHLÜSSEL ein mit kumulus ssh-key add gespeicherter Schlüssel, per ID (key_…) oder Name; wiederholbar
  --nic NETZ[=IP]        eine Netzwerkkarte in einem Ihrer Netze (oder „default“), wahlweise mit fester
                         Adresse; wiederholbar, in der Reihenfolge eth0, eth1 … (Standard: eine in „default“)
  --label SCHLÜSSEL=WERT ein Label (nur SCHLÜSSEL: leerer Wert); wiederholbar
  --no-start             angelegt, aber ausgeschaltet
  --no-wait              zurückkehren, sobald der Server angenommen ist
  --timeout SEKUNDEN     wie lange gewartet wird (Standard 600)
  -o, --output table|json
      json gibt {"server": Server, "operation": Operation} im Endzustand aus.`,
};

const options = {
  name: { type: 'string' },
  plan: { type: 'string' },
  image: { type: 'string' },
  kind: { type: 'string' },
  hostname: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'ssh-key': { type: 'string', multiple: true },
  'ssh-key-id': { type: 'string', multiple: true },
  nic: { type: 'string', multiple: true },
  'no-start': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  ...labelOptions,
} as const;

/** Runs `kumulus server create`. */
export async function createServer(args: string[]): Promise<void> {
  const cmd = 'kumulus server create';
  const { values, positionals, output, help: wantsHelp } = parseCommand(args, options, cmd);
  if (wantsHelp) return void process.stdout.write(pick(help) + '\n');
  takePositionals(positionals, [], cmd);
  if (values.password !== undefined && values['password-stdin']) throw usageError(t('usage.passwordTwice'), cmd);
  const kind = values.kind;
  if (kind !== undefined && kind !== 'container' && kind !== 'vm') {
    throw usageError(t('usage.badValue', { name: 'kind', value: kind, expected: 'container|vm' }), cmd);
  }
  const body: CreateServer = {
    name: requireOption(values.name, 'name', cmd),
    plan: requireOption(values.plan, 'plan', cmd),
    image: requireOption(values.image, 'image', cmd),
    kind,
    hostname: values.hostname,
    password: values['password-stdin'] ? await readPasswordFromStdin() : values.password,
    sshKeys: values['ssh-key'] ? await readSshKeys(values['ssh-key']) : undefined,
    sshKeyIds: values['ssh-key-id'],
    start: !values['no-start'],
    ...(values.nic ? { nics: values.nic.map(parseNic) } : {}),
    ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}),
  };
  const timeoutSeconds = parseSeconds(values.timeout, 600, 'timeout', cmd);
  const { client } = await connect();
  // One key per invocation: if the answer is lost and the CLI is retried by hand, a fresh key
  // is right; within this run the key only guards the single POST below.
  const accepted = await client.createServer(body, { idempotencyKey: randomUUID() }).catch((err) => {
    const flags = { ...FLAGS, password: values['password-stdin'] ? '--password-stdin' : '--password' };
    throw err instanceof ApiError ? referenceAsInvalidInput(apiErrorInCliWords(err, flags)) : err;
  });
  if (values['no-wait']) {
    return emit(output, accepted, () =>
      say(t('server.accepted', { name: accepted.server.name, id: accepted.server.id, op: accepted.operation.id })),
    );
  }
  const operation = await followOperation(client, accepted.operation, { timeoutSeconds, format: output, label: body.name });
  const server = await client.getServer(accepted.server.id);
  emit(output, { server, operation }, () => printServer(server));
}

// The create request's fields and the options that set them, so that errors name the options.
const FLAGS = {
  name: '--name',
  plan: '--plan',
  image: '--image',
  kind: '--kind',
  hostname: '--hostname',
  password: '--password',
  sshKeys: '--ssh-key',
  sshKeyIds: '--ssh-key-id',
  start: '--no-start',
};

// A 404 to a create can only mean that a plan or image it names is missing: that is bad input (4),
// not a missing server (3), whatever status the API picked.
function referenceAsInvalidInput(err: CliError): CliError {
  if (err.exitCode !== Exit.notFound) return err;
  return new CliError(Exit.invalidInput, err.code, err.message, { details: err.details, requestId: err.requestId });
}

// NETWORK or NETWORK=ADDRESS; the API says whether the network exists and the address is free.
function parseNic(value: string): { network: string; ipv4?: string } {
  const [network = '', ipv4] = value.split('=', 2);
  return ipv4 ? { network, ipv4 } : { network };
}

async function readPasswordFromStdin(): Promise<string> {
  // `echo secret | kumulus …` adds a newline that is not part of the password.
  return (await readStdin()).replace(/\r?\n$/, '');
}

// Each value is a file of keys (authorized_keys format) when such a file exists, otherwise a key itself.
async function readSshKeys(values: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const value of values) {
    let text: string;
    try {
      text = await readFile(expandHome(value), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENAMETOOLONG') throw err;
      // A lone word is a mistyped file name, not a key: keys are "type base64 [comment]".
      if (!/\s/.test(value.trim())) throw new CliError(Exit.invalidInput, 'SSH_KEY_FILE_NOT_FOUND', t('usage.sshKeyFile', { file: value }));
      keys.push(value.trim());
      continue;
    }
    const lines = keyLines(text, value);
    if (lines.length === 0) throw new CliError(Exit.invalidInput, 'SSH_KEY_FILE_EMPTY', t('usage.sshKeyEmpty', { file: value }));
    keys.push(...lines);
  }
  return keys;
}
