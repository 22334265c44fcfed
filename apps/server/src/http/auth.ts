import type { FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.ts';
import type { Identity } from '../modules/identity/service.ts';
import type { Principal } from '../modules/identity/principal.ts';
import { REASON_TEXT } from '../modules/identity/second-factors.ts';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'kumulus_session';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a route allows beyond the usual. */
export interface AuthOptions {
  /** A session that must first enrol a second factor may use this route (enrolment, who am I, sign-out). */
  enrolment?: boolean;
}

/**
 * Resolves the request's bearer token or session cookie; null when it carries neither validly. A session that must
 * enrol a second factor is refused everywhere but on the enrolment routes.
 */
export async function principalOf(identity: Identity, req: FastifyRequest, opts: AuthOptions = {}): Promise<Principal | null> {
  const auth = req.headers.authorization;
  const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
  if (bearer) return identity.authenticate({ bearer });
  const session = req.cookies?.[SESSION_COOKIE];
  if (!session) return null;
  const p = await identity.authenticate({ session });
  // A cookie rides along with any request the browser makes, also one another site triggers;
  // changes made with a cookie must come from our own pages (CSRF).
  if (p && !SAFE.has(req.method) && !sameOrigin(req)) {
    throw new DomainError('FORBIDDEN', { role: p.role, action: { en: 'change things from another site (missing or foreign Origin header)', de: 'von einer anderen Website aus Änderungen vornehmen (Origin-Header fehlt oder ist fremd)' } });
  }
  if (p?.mustEnrol && !opts.enrolment) throw new DomainError('TWO_FACTOR_ENROLMENT_REQUIRED', { reason: REASON_TEXT[p.mustEnrol] });
  return p;
}

function sameOrigin(req: FastifyRequest): boolean {
  if (req.headers['sec-fetch-site'] === 'same-origin') return true;
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The request's principal or UNAUTHENTICATED. */
export async function requirePrincipal(identity: Identity, req: FastifyRequest, opts: AuthOptions = {}): Promise<Principal> {
  const p = await principalOf(identity, req, opts);
  if (!p) throw new DomainError('UNAUTHENTICATED');
  return p;
}
