import type { ErrorCode } from './errors.ts';

/** Languages Kumulus speaks. */
export type Language = 'en' | 'de';

type Catalog = Record<ErrorCode, string>;

// Each message says what was wrong and what to do; {name} is filled from the error's params.
const en: Catalog = {
  VALIDATION_FAILED: 'The request is not valid: {summary}. Correct the fields named in details and send it again.',
  INVALID_JSON: 'The request body is not valid JSON: {reason}. Send a JSON object with content-type application/json.',
  UNAUTHENTICATED: 'You are not signed in or your session has expired. Sign in again or send a valid API token.',
  INVALID_CREDENTIALS: 'E-mail or password is wrong. Check both and try again.',
  FORBIDDEN: 'Your role ({role}) may not {action}. Ask an administrator of your tenant.',
  NOT_FOUND: 'No {kind} with id {id} exists. Check the id; list them with GET /api/v1/{kind}s.',
  ROUTE_NOT_FOUND: 'There is no {method} {url}. The API lives under /api/v1; see /api/v1/openapi.json.',
  SERVER_NOT_FOUND: 'No server with id or name {id} exists in your tenant. List your servers with GET /api/v1/servers.',
  OPERATION_NOT_FOUND: 'No operation with id {id} exists in your tenant.',
  NETWORK_NOT_FOUND: 'No network with id or name {id} exists in your tenant. List your networks with GET /api/v1/networks.',
  NETWORK_IN_USE: 'Network {id} still has {count} server NICs on it. Delete those servers first.',
  SUBNET_OVERLAP: 'The range {cidr} overlaps your network {other} ({otherCidr}). Choose a range that does not.',
  ADDRESS_TAKEN: 'The address {address} in {network} is in use. Leave the address out to get a free one, or choose another.',
  PLAN_NOT_FOUND: 'There is no plan named {plan}. Choose one from GET /api/v1/plans.',
  IMAGE_NOT_FOUND: 'There is no image named {image}. Choose one from GET /api/v1/images.',
  SSH_KEY_NOT_FOUND: 'Your tenant has no SSH key with id {id}. Choose one from GET /api/v1/ssh-keys or add it with POST /api/v1/ssh-keys.',
  CONFLICT: 'The request conflicts with the current state: {reason}.',
  NAME_TAKEN: 'A {kind} named {name} exists already. Choose another name.',
  SSH_KEY_EXISTS: 'This key is saved already, as {name} ({fingerprint}). Use that one, or delete it first.',
  SERVER_BUSY: 'Server {id} is being deleted or is busy with another change. Wait for operation {operation} to end.',
  IDEMPOTENCY_KEY_REUSED:
    'The Idempotency-Key {key} was already used with a different request. Use a new key for a new request.',
  WEAK_PASSWORD: 'The password is too weak: {reason}. Use at least 12 characters mixing letters, digits and symbols.',
  INVALID_SSH_KEY: 'SSH key {index} is not a valid public key: {reason}. Paste one line of an OpenSSH .pub file.',
  UNSUPPORTED_KIND: 'This engine cannot run servers of kind {kind}. Use kind "container".',
  ACCOUNT_LOCKED: 'Too many failed sign-ins. Wait {seconds} seconds and try again.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than {limit} bytes. Send less data.',
  NO_ADDRESS_LEFT: 'Network {network} has no free address left. Delete a server or ask the operator for a larger network.',
  ENGINE_ERROR: 'The engine failed: {reason}.',
  INTERNAL: 'An unexpected error happened. Tell the operator the request id {requestId}.',
};

const de: Catalog = {
  VALIDATION_FAILED: 'Die Anfrage ist ungültig: {summary}. Korrigiere die in details genannten Felder und sende sie erneut.',
  INVALID_JSON: 'Der Anfrageinhalt ist kein gültiges JSON: {reason}. Sende ein JSON-Objekt mit content-type application/json.',
  UNAUTHENTICATED: 'Du bist nicht angemeldet oder die Sitzung ist abgelaufen. Melde dich erneut an oder sende ein gültiges API-Token.',
  INVALID_CREDENTIALS: 'E-Mail oder Passwort ist falsch. Prüfe beides und versuche es erneut.',
  FORBIDDEN: 'Deine Rolle ({role}) darf nicht {action}. Frage einen Administrator deines Mandanten.',
  NOT_FOUND: 'Es gibt kein {kind} mit der ID {id}. Prüfe die ID; liste sie mit GET /api/v1/{kind}s.',
  ROUTE_NOT_FOUND: 'Es gibt kein {method} {url}. Die API liegt unter /api/v1; siehe /api/v1/openapi.json.',
  SERVER_NOT_FOUND: 'In deinem Mandanten gibt es keinen Server mit ID oder Namen {id}. Liste deine Server mit GET /api/v1/servers.',
  OPERATION_NOT_FOUND: 'In deinem Mandanten gibt es keine Operation mit der ID {id}.',
  NETWORK_NOT_FOUND: 'In Ihrem Mandanten gibt es kein Netz mit ID oder Namen {id}. Listen Sie Ihre Netze mit GET /api/v1/networks auf.',
  NETWORK_IN_USE: 'Am Netz {id} hängen noch {count} Netzwerkkarten von Servern. Löschen Sie diese Server zuerst.',
  SUBNET_OVERLAP: 'Der Bereich {cidr} überschneidet sich mit Ihrem Netz {other} ({otherCidr}). Wählen Sie einen Bereich ohne Überschneidung.',
  ADDRESS_TAKEN: 'Die Adresse {address} in {network} ist belegt. Lassen Sie die Adresse weg, um eine freie zu erhalten, oder wählen Sie eine andere.',
  PLAN_NOT_FOUND: 'Es gibt keinen Tarif namens {plan}. Wähle einen aus GET /api/v1/plans.',
  IMAGE_NOT_FOUND: 'Es gibt kein Image namens {image}. Wähle eines aus GET /api/v1/images.',
  SSH_KEY_NOT_FOUND: 'Dein Mandant hat keinen SSH-Schlüssel mit der ID {id}. Wähle einen aus GET /api/v1/ssh-keys oder füge ihn mit POST /api/v1/ssh-keys hinzu.',
  CONFLICT: 'Die Anfrage widerspricht dem aktuellen Zustand: {reason}.',
  NAME_TAKEN: 'Ein {kind} namens {name} existiert bereits. Wähle einen anderen Namen.',
  SSH_KEY_EXISTS: 'Dieser Schlüssel ist bereits gespeichert, als {name} ({fingerprint}). Verwende ihn oder lösche ihn zuerst.',
  SERVER_BUSY: 'Server {id} wird gerade gelöscht oder geändert. Warte, bis Operation {operation} beendet ist.',
  IDEMPOTENCY_KEY_REUSED:
    'Der Idempotency-Key {key} wurde bereits für eine andere Anfrage benutzt. Verwende für eine neue Anfrage einen neuen Schlüssel.',
  WEAK_PASSWORD: 'Das Passwort ist zu schwach: {reason}. Verwende mindestens 12 Zeichen aus Buchstaben, Ziffern und Sonderzeichen.',
  INVALID_SSH_KEY: 'SSH-Schlüssel {index} ist kein gültiger öffentlicher Schlüssel: {reason}. Füge eine Zeile einer OpenSSH-.pub-Datei ein.',
  UNSUPPORTED_KIND: 'Diese Engine kann keine Server der Art {kind} betreiben. Verwende die Art "container".',
  ACCOUNT_LOCKED: 'Zu viele fehlgeschlagene Anmeldungen. Warte {seconds} Sekunden und versuche es erneut.',
  PAYLOAD_TOO_LARGE: 'Der Anfrageinhalt ist größer als {limit} Bytes. Sende weniger Daten.',
  NO_ADDRESS_LEFT: 'Im Netz {network} ist keine Adresse mehr frei. Lösche einen Server oder bitte den Betreiber um ein größeres Netz.',
  ENGINE_ERROR: 'Die Engine ist fehlgeschlagen: {reason}.',
  INTERNAL: 'Ein unerwarteter Fehler ist aufgetreten. Nenne dem Betreiber die Anfrage-ID {requestId}.',
};

const catalogs: Record<Language, Catalog> = { en, de };

/** Picks de or en from an Accept-Language header (English when nothing matches). */
export function pickLanguage(header: string | undefined): Language {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().toLowerCase().split(';');
      const q = rest.find((p) => p.trim().startsWith('q='));
      return { tag, q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('de')) return 'de';
    if (tag.startsWith('en') || tag === '*') return 'en';
  }
  return 'en';
}

/** Renders the message of an error code in a language. */
export function message(lang: Language, code: ErrorCode, params: Record<string, string | number>): string {
  return catalogs[lang][code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}
