import { NAME_PATTERN } from '@kumulus/api';
import type { ErrorObject } from 'ajv';
import type { Localized } from '../lib/errors.ts';

// JSON types as a reader of each language calls them.
const TYPES: Record<string, Localized> = {
  string: { en: 'a string', de: 'eine Zeichenkette' },
  integer: { en: 'an integer', de: 'eine ganze Zahl' },
  number: { en: 'a number', de: 'eine Zahl' },
  boolean: { en: 'true or false', de: 'true oder false' },
  object: { en: 'an object', de: 'ein Objekt' },
  array: { en: 'a list', de: 'eine Liste' },
  null: { en: 'null', de: 'null' },
};

const FORMATS: Record<string, Localized> = {
  email: { en: 'an e-mail address', de: 'eine E-Mail-Adresse' },
  'date-time': { en: 'a date and time (RFC 3339)', de: 'ein Zeitpunkt (RFC 3339)' },
};

const both = (en: string, de: string): Localized => ({ en, de });

/** What is wrong with a field, in both languages, from one Ajv error: the catalogue is keyed by Ajv's keyword. */
export function describeAjvError(e: ErrorObject): Localized {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return both('is not a known field; remove it', 'ist kein bekanntes Feld; entfernen Sie es');
    case 'required':
      return both('is required', 'fehlt');
    case 'type': {
      const type = TYPES[String(p.type)] ?? both(String(p.type), String(p.type));
      return both(`must be ${type.en}`, `muss ${type.de} sein`);
    }
    case 'maxLength':
      return both(`must be at most ${p.limit} characters long`, `darf höchstens ${p.limit} Zeichen lang sein`);
    case 'minLength':
      return both(`must be at least ${p.limit} characters long`, `muss mindestens ${p.limit} Zeichen lang sein`);
    case 'pattern':
      return describePattern(String(p.pattern));
    case 'maximum':
      return both(`must be at most ${p.limit}`, `darf höchstens ${p.limit} sein`);
    case 'minimum':
      return both(`must be at least ${p.limit}`, `muss mindestens ${p.limit} sein`);
    case 'maxItems':
      return both(`must have at most ${p.limit} entries`, `darf höchstens ${p.limit} Einträge haben`);
    case 'minItems':
      return both(`must have at least ${p.limit} entries`, `muss mindestens ${p.limit} Einträge haben`);
    case 'uniqueItems':
      return both('must not list an entry twice', 'darf keinen Eintrag doppelt enthalten');
    case 'format': {
      const format = FORMATS[String(p.format)];
      return format ? both(`must be ${format.en}`, `muss ${format.de} sein`) : both(`must have the format ${p.format}`, `muss das Format ${p.format} haben`);
    }
    case 'const':
    case 'enum':
      return oneOf(e.keyword === 'const' ? [p.allowedValue] : (p.allowedValues as unknown[]));
    default:
      return both('is not valid', 'ist ungültig');
  }
}

/** "must be one of …" for the values a union of literals allows. */
export function oneOf(values: unknown[]): Localized {
  const list = values.map((v) => JSON.stringify(v)).join(', ');
  return values.length === 1 ? both(`must be ${list}`, `muss ${list} sein`) : both(`must be one of ${list}`, `muss einer dieser Werte sein: ${list}`);
}

function describePattern(pattern: string): Localized {
  const name = NAME_PATTERN.slice(1, -1);
  if (pattern === NAME_PATTERN) {
    return both(
      'use lower-case letters, digits and dashes, starting and ending with a letter or digit',
      'verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche, am Anfang und Ende einen Buchstaben oder eine Ziffer',
    );
  }
  const ref = pattern.match(/\|([a-z]+)_\[/)?.[1];
  if (ref && pattern.includes(name)) {
    return both(
      `give a name (lower-case letters, digits and dashes) or an id (${ref}_…)`,
      `geben Sie einen Namen (Kleinbuchstaben, Ziffern und Bindestriche) oder eine ID (${ref}_…) an`,
    );
  }
  if (pattern.includes('\\x00-\\x1f')) return both('must not contain control characters', 'darf keine Steuerzeichen enthalten');
  return both('has characters or a form that is not allowed', 'enthält Zeichen oder eine Form, die nicht erlaubt ist');
}
