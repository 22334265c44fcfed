import type { FastifyInstance } from 'fastify';
import { DomainError } from '../lib/errors.ts';

/** How deep objects and arrays may nest in a request body; the API's own bodies need 3. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `text` nests objects and arrays deeper than `limit`. A linear scan over the raw text,
 * so that a hostile body is refused before anything recursive (parser, fingerprint, validator) sees it.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, also a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The body parsers: JSON with bounded depth, and an empty body under any content type as no body
 * at all — many HTTP clients send `Content-Type: application/json` on every request, DELETE included.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  // Fastify's own parser keeps its guard against __proto__ and constructor.prototype keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return done(new DomainError('JSON_TOO_DEEP', { limit: MAX_JSON_DEPTH }), undefined);
    parseJson(req, text, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(new DomainError('UNSUPPORTED_MEDIA_TYPE', { contentType: String(req.headers['content-type'] ?? '') }), undefined);
  });
}
