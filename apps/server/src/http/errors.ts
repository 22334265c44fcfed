import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_STATUS } from '../lib/errors.ts';
import { inLanguage, message, pickLanguage } from '../lib/messages.ts';

/**
 * The one place where errors become HTTP answers. Domain errors keep their code and get a
 * message in the caller's language; anything unexpected is logged with its stack and answers
 * 500 with the request id, so nothing internal leaks and nothing is swallowed.
 */
export function handleError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const lang = pickLanguage(req.headers['accept-language']);
  let domain: DomainError;
  if (err instanceof DomainError) {
    domain = err;
  } else if ((err as FastifyError).validation) {
    // Validation errors built by our schema compiler arrive wrapped by Fastify.
    const cause = (err as FastifyError & { validation: unknown }).validation;
    domain = cause instanceof DomainError ? cause : new DomainError('VALIDATION_FAILED', { summary: err.message });
  } else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    domain = new DomainError('INVALID_JSON');
  } else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    domain = new DomainError('PAYLOAD_TOO_LARGE', { limit: req.routeOptions.bodyLimit ?? 1_048_576 });
  } else if ((err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    domain = new DomainError('UNSUPPORTED_MEDIA_TYPE', { contentType: String(req.headers['content-type'] ?? '') });
  } else if (isClientError(err)) {
    // Whatever else Fastify refuses before our code runs (a malformed URL, a bad content-length)
    // is the caller's mistake: a 400 with Fastify's code, never a 500.
    domain = new DomainError('BAD_REQUEST', { code: (err as FastifyError).code ?? 'unknown' });
  } else {
    req.log.error({ err }, 'unexpected error');
    domain = new DomainError('INTERNAL', { requestId: req.id });
  }
  const status = ERROR_STATUS[domain.code];
  if (domain.retryAfter) reply.header('retry-after', String(domain.retryAfter));
  return reply.status(status).send({
    error: {
      code: domain.code,
      message: message(lang, domain.code, { ...domain.params, requestId: req.id }),
      requestId: req.id,
      ...(domain.details.length ? { details: domain.details.map((d) => ({ field: d.field, message: inLanguage(lang, d.message) })) } : {}),
    },
  });
}

function isClientError(err: Error): boolean {
  const status = (err as FastifyError).statusCode;
  return typeof (err as FastifyError).code === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}
