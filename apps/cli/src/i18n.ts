/**
 * The CLI's messages in English and German, chosen by KUMULUS_LANG, LC_ALL, LC_MESSAGES or LANG.
 */

const en = {
  'error.prefix': 'error',
  'error.requestId': 'request id',
  'error.unreachable': 'cannot reach the Kumulus API at {url}: {reason}',
  'error.notLoggedIn': 'not signed in: run `kumulus login` or set KUMULUS_URL and KUMULUS_TOKEN',
  'error.serverNotFound': 'no server named or with id "{ref}"',
  'error.ambiguous': 'several servers are named "{ref}"; use the id',
  'error.operationFailed': 'operation {id} failed',
  'error.timeout': 'gave up waiting for operation {id} after {seconds} s; it continues on the server: kumulus operation wait {id}',
  'error.interrupted': 'interrupted; operation {id} continues on the server: kumulus operation wait {id}',
  'error.unexpected': 'unexpected error',
  'usage.unknownCommand': 'unknown command "{name}"',
  'usage.missingCommand': 'missing command',
  'usage.missingOption': 'missing option --{name}',
  'usage.unknownOption': 'unknown option {option}',
  'usage.missingArgument': 'missing argument {name}',
  'usage.tooManyArguments': 'unexpected argument "{arg}"',
  'usage.badValue': 'invalid value for --{name}: "{value}" (expected {expected})',
  'usage.passwordTwice': 'give either --password or --password-stdin, not both',
  'usage.see': 'see `{command} --help`',
  'usage.sshKeyEmpty': 'the SSH key file {file} is empty',
  'usage.sshKeyFile': '--ssh-key {file}: no such file, and not a key ("type base64 [comment]")',
  'usage.noTty': 'no terminal to ask for {what}; pass --token, or give --email and the password on stdin',
  'login.email': 'E-mail: ',
  'login.password': 'Password: ',
  'login.done': 'signed in to {url} as {email} (tenant {tenant}); token stored in {file}',
  'login.tokenName': 'kumulus CLI on {host}',
  'serve.listening': 'Kumulus is listening on {url} (API {url}/api/v1)',
  'serve.stopping': 'stopping …',
  'serve.stopped': 'stopped',
  'server.accepted': 'server {name} ({id}) accepted; operation {op}: kumulus operation wait {op}',
  'server.actionAccepted': 'operation {op} accepted: kumulus operation wait {op}',
  'server.actionDone': 'server {name} is {phase}',
  'server.deleted': 'server {name} ({id}) deleted',
  'operation.succeeded': 'operation {id} succeeded',
  'list.empty': '(none)',
  'col.id': 'ID',
  'col.name': 'NAME',
  'col.phase': 'PHASE',
  'col.plan': 'PLAN',
  'col.image': 'IMAGE',
  'col.ipv4': 'IPV4',
  'col.created': 'CREATED',
  'col.vcpus': 'VCPUS',
  'col.memory': 'MEMORY',
  'col.disk': 'DISK',
  'col.priceMonthly': 'PRICE/MONTH',
  'col.description': 'DESCRIPTION',
  'col.os': 'OS',
  'col.kind': 'KIND',
  'col.status': 'STATUS',
  'col.target': 'TARGET',
  'col.state': 'STATE',
  'col.progress': 'PROGRESS',
  'col.step': 'STEP',
  'field.id': 'ID',
  'field.name': 'Name',
  'field.phase': 'Phase',
  'field.kind': 'Kind',
  'field.plan': 'Plan',
  'field.image': 'Image',
  'field.ipv4': 'IPv4',
  'field.created': 'Created',
  'field.target': 'Target',
  'field.state': 'State',
  'field.progress': 'Progress',
  'field.step': 'Step',
  'field.error': 'Error',
  'field.hostname': 'Hostname',
  'field.power': 'Power state',
  'field.sshKeys': 'SSH keys',
  'field.password': 'Root password',
  'field.node': 'Node',
  'field.generation': 'Generation',
  'field.updated': 'Updated',
  'field.conditions': 'Conditions',
  'field.started': 'Started',
  'field.finished': 'Finished',
  'yes': 'yes',
  'no': 'no',
};

/** A key of the message catalogue. */
export type MessageKey = keyof typeof en;

// Typed as the English catalogue so that a missing German message fails the typecheck.
const de: Record<MessageKey, string> = {
  'error.prefix': 'Fehler',
  'error.requestId': 'Anfrage-ID',
  'error.unreachable': 'die Kumulus-API unter {url} ist nicht erreichbar: {reason}',
  'error.notLoggedIn': 'nicht angemeldet: `kumulus login` ausführen oder KUMULUS_URL und KUMULUS_TOKEN setzen',
  'error.serverNotFound': 'kein Server mit dem Namen oder der ID „{ref}“',
  'error.ambiguous': 'mehrere Server heißen „{ref}“; bitte die ID angeben',
  'error.operationFailed': 'Vorgang {id} ist fehlgeschlagen',
  'error.timeout': 'Warten auf Vorgang {id} nach {seconds} s aufgegeben; er läuft auf dem Server weiter: kumulus operation wait {id}',
  'error.interrupted': 'abgebrochen; Vorgang {id} läuft auf dem Server weiter: kumulus operation wait {id}',
  'error.unexpected': 'unerwarteter Fehler',
  'usage.unknownCommand': 'unbekannter Befehl „{name}“',
  'usage.missingCommand': 'Befehl fehlt',
  'usage.missingOption': 'Option --{name} fehlt',
  'usage.unknownOption': 'unbekannte Option {option}',
  'usage.missingArgument': 'Argument {name} fehlt',
  'usage.tooManyArguments': 'unerwartetes Argument „{arg}“',
  'usage.badValue': 'ungültiger Wert für --{name}: „{value}“ (erwartet: {expected})',
  'usage.passwordTwice': 'entweder --password oder --password-stdin angeben, nicht beides',
  'usage.see': 'siehe `{command} --help`',
  'usage.sshKeyEmpty': 'die SSH-Schlüsseldatei {file} ist leer',
  'usage.sshKeyFile': '--ssh-key {file}: keine solche Datei und kein Schlüssel („Typ Base64 [Kommentar]“)',
  'usage.noTty': 'kein Terminal, um nach {what} zu fragen; --token angeben oder --email und das Passwort über stdin',
  'login.email': 'E-Mail: ',
  'login.password': 'Passwort: ',
  'login.done': 'bei {url} als {email} angemeldet (Mandant {tenant}); Token gespeichert in {file}',
  'login.tokenName': 'kumulus CLI auf {host}',
  'serve.listening': 'Kumulus lauscht auf {url} (API {url}/api/v1)',
  'serve.stopping': 'wird beendet …',
  'serve.stopped': 'beendet',
  'server.accepted': 'Server {name} ({id}) angenommen; Vorgang {op}: kumulus operation wait {op}',
  'server.actionAccepted': 'Vorgang {op} angenommen: kumulus operation wait {op}',
  'server.actionDone': 'Server {name} ist {phase}',
  'server.deleted': 'Server {name} ({id}) gelöscht',
  'operation.succeeded': 'Vorgang {id} erfolgreich',
  'list.empty': '(keine)',
  'col.id': 'ID',
  'col.name': 'NAME',
  'col.phase': 'PHASE',
  'col.plan': 'TARIF',
  'col.image': 'IMAGE',
  'col.ipv4': 'IPV4',
  'col.created': 'ERSTELLT',
  'col.vcpus': 'VCPUS',
  'col.memory': 'SPEICHER',
  'col.disk': 'DISK',
  'col.priceMonthly': 'PREIS/MONAT',
  'col.description': 'BESCHREIBUNG',
  'col.os': 'BS',
  'col.kind': 'ART',
  'col.status': 'STATUS',
  'col.target': 'ZIEL',
  'col.state': 'ZUSTAND',
  'col.progress': 'FORTSCHRITT',
  'col.step': 'SCHRITT',
  'field.id': 'ID',
  'field.name': 'Name',
  'field.phase': 'Phase',
  'field.kind': 'Art',
  'field.plan': 'Tarif',
  'field.image': 'Image',
  'field.ipv4': 'IPv4',
  'field.created': 'Erstellt',
  'field.target': 'Ziel',
  'field.state': 'Zustand',
  'field.progress': 'Fortschritt',
  'field.step': 'Schritt',
  'field.error': 'Fehler',
  'field.hostname': 'Hostname',
  'field.power': 'Soll-Zustand',
  'field.sshKeys': 'SSH-Schlüssel',
  'field.password': 'Root-Passwort',
  'field.node': 'Knoten',
  'field.generation': 'Generation',
  'field.updated': 'Geändert',
  'field.conditions': 'Bedingungen',
  'field.started': 'Gestartet',
  'field.finished': 'Beendet',
  'yes': 'ja',
  'no': 'nein',
};

/** A language the CLI speaks. */
export type Language = 'en' | 'de';

/** Picks the language from the environment the way POSIX locales rank (LC_ALL before LANG). */
export function detectLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const value = env.KUMULUS_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return value.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** The language of this process, fixed at start-up. */
export const language: Language = detectLanguage();

/** Looks up a message and fills in its `{placeholders}`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = (language === 'de' ? de : en)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A text given in both languages, such as a command's help. */
export type Bilingual = Record<Language, string>;

/** Picks the text of the current language. */
export function pick(text: Bilingual): string {
  return text[language];
}
