import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { DomainError, type FieldError } from '../lib/errors.ts';
import { describeAjvError, oneOf } from './validation-messages.ts';

/** ajv-formats' plugin; it is CommonJS, so its default export arrives wrapped under Node's ESM loader. */
export const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** Removes `$id`s so one schema can be compiled in many routes without id clashes. */
export function stripIds<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema, (k, v) => (k === '$id' ? undefined : v)));
}

// Bodies are checked strictly: a string "2" is not the integer 2 and unknown fields are errors.
// Query strings and path parameters arrive as text, so they are coerced to their declared types.
const strict = addFormats(new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false }));
const coercing = addFormats(new Ajv({ allErrors: true, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false }));

/** Fastify's schema compiler: strict for bodies, coercing for query strings and parameters. */
export const compileSchema: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'body' ? strict : coercing).compile(stripIds(schema) as object);
  // A request without a body reads as an empty object (Fastify hands it over as null): a route
  // whose fields are all optional needs none, and others name each missing field.
  const empty = httpPart === 'body' ? () => ({}) : () => null;
  return (data: unknown) => {
    const value = data ?? empty();
    return validate(value) ? { value } : { error: toDomainError(httpPart ?? 'body', validate.errors ?? []) };
  };
};

function fieldOf(part: string, e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '');
  const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : '';
  const field = [path, extra].filter(Boolean).join('/');
  return part === 'body' ? field || '(body)' : `${part}:${field}`;
}

/** Turns Ajv's errors into one VALIDATION_FAILED with a line per field, in both languages. */
export function toDomainError(part: string, errors: ErrorObject[]): DomainError & FieldError[] {
  // Unions report one error per branch; the first per field says enough, except that the
  // literals a union allows are gathered into one "must be one of …".
  const seen = new Map<string, FieldError>();
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    const field = fieldOf(part, e);
    if (e.keyword === 'const') allowed.set(field, [...(allowed.get(field) ?? []), (e.params as { allowedValue: unknown }).allowedValue]);
    if (!seen.has(field)) seen.set(field, { field, message: describeAjvError(e) });
  }
  for (const [field, values] of allowed) seen.set(field, { field, message: oneOf(values) });
  const details = [...seen.values()];
  const line = (lang: 'en' | 'de') => details.map((d) => `${d.field} ${typeof d.message === 'string' ? d.message : d.message[lang]}`).join('; ');
  return new DomainError('VALIDATION_FAILED', { summary: { en: line('en'), de: line('de') } }, details) as DomainError & FieldError[];
}
