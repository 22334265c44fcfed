import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { DomainError, type FieldError } from '../lib/errors.ts';

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

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return 'is not a known field; remove it';
    case 'required':
      return 'is required';
    case 'type':
      return `must be of type ${(e.params as { type: string }).type}`;
    case 'maxLength':
      return `must be at most ${(e.params as { limit: number }).limit} characters long`;
    case 'minLength':
      return `must be at least ${(e.params as { limit: number }).limit} characters long`;
    case 'pattern':
      return 'has characters or a form that is not allowed (lower-case letters, digits and dashes)';
    default:
      return e.message ?? 'is not valid';
  }
}

/** Turns Ajv's errors into one VALIDATION_FAILED with a line per field. */
export function toDomainError(part: string, errors: ErrorObject[]): DomainError & FieldError[] {
  // Unions report one error per branch; the first per field says enough.
  const seen = new Map<string, FieldError>();
  for (const e of errors) {
    const field = fieldOf(part, e);
    if (!seen.has(field)) seen.set(field, { field, message: describe(e) });
  }
  const details = [...seen.values()];
  const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new DomainError('VALIDATION_FAILED', { summary }, details) as DomainError & FieldError[];
}
