import { ERROR_STATUS, type ErrorCode } from '../lib/errors.ts';
import { message } from '../lib/messages.ts';
import type { RouteDef } from './route.ts';

const NOT_FOUND_STATUS = 404;

/**
 * Every error code a route can answer: those that follow from its shape, derived here so that no
 * route can forget them, and the domain errors the route declares.
 */
export function errorCodesOf(r: RouteDef): ErrorCode[] {
  const codes = new Set<ErrorCode>(['BAD_REQUEST']);
  const authenticated = r.auth !== false;
  if (authenticated) codes.add('UNAUTHENTICATED');
  // A change made with a session cookie from another site is refused (CSRF).
  if (authenticated && r.method !== 'GET') codes.add('FORBIDDEN');
  if (r.body || r.params || r.query) codes.add('VALIDATION_FAILED');
  if (r.method !== 'GET') {
    for (const c of ['INVALID_JSON', 'JSON_TOO_DEEP', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const) codes.add(c);
  }
  if (r.method === 'POST' && authenticated) {
    // Idempotency-Key: malformed, reused with another body, or its first request still running.
    for (const c of ['VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'] as const) codes.add(c);
  }
  // Every list takes `sort` (and a labelled one `label_selector`) through the shared list helper.
  const queryKeys = Object.keys((r.query as { properties?: object } | undefined)?.properties ?? {});
  if (queryKeys.includes('sort')) codes.add('SORT_KEY_INVALID');
  if (queryKeys.includes('label_selector')) codes.add('LABEL_SELECTOR_INVALID');
  for (const c of r.errors ?? []) codes.add(c);
  if (/:\w+/.test(r.url) && ![...codes].some((c) => ERROR_STATUS[c] === NOT_FOUND_STATUS)) codes.add('NOT_FOUND');
  return [...codes];
}

const TITLES: Record<number, string> = {
  400: 'The request is malformed or fails validation',
  401: 'Not signed in, or the credentials are wrong',
  403: 'The caller may not do this',
  404: 'The resource does not exist in your tenant',
  409: 'The request conflicts with the current state',
  413: 'The body is too large',
  415: 'The body is not JSON',
  422: 'The request is well-formed but cannot be carried out as it is',
  429: 'Too many attempts; wait as Retry-After says',
  502: 'The engine failed',
  503: 'A resource the request needs is exhausted',
};

/** The OpenAPI responses for a route's error codes, one per status, each naming its codes and their meaning. */
export function errorResponses(codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(ERROR_STATUS[c], [...(byStatus.get(ERROR_STATUS[c]) ?? []), c]);
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const lines = list.map((c) => `- \`${c}\`: ${message('en', c, {})}`);
    out[String(status)] = {
      description: `${TITLES[status] ?? 'Error'}. \`error.code\` is one of:\n\n${lines.join('\n')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      'x-error-codes': list,
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
    };
  }
  return out;
}
