/**
 * GET /metrics in Prometheus's text format, for a scraper the operator configured: a bearer token,
 * HTTP basic auth, or both. Without either the endpoint is not served at all.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../lib/errors.ts';
import type { ControlPlaneMetrics } from './registry.ts';

/** Who may scrape /metrics. */
export interface MetricsAuth {
  /** `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`). */
  token?: string;
  /** `Authorization: Basic …` (Prometheus: `basic_auth`). */
  basicAuth?: { username: string; password: string };
}

// Hashing first makes both sides the same length, so the comparison takes the same time whatever was sent.
const same = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** True when the Authorization header carries one of the configured credentials. */
export function mayScrape(auth: MetricsAuth, header: string | undefined): boolean {
  if (!header) return false;
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  if (auth.token && scheme.toLowerCase() === 'bearer') return same(value, auth.token);
  if (auth.basicAuth && scheme.toLowerCase() === 'basic') return same(Buffer.from(value, 'base64').toString('utf8'), `${auth.basicAuth.username}:${auth.basicAuth.password}`);
  return false;
}

/** Registers GET /metrics; `refresh` reads the scrape-time metrics before each answer. */
export function registerMetricsRoute(app: FastifyInstance, d: { auth: MetricsAuth; metrics: ControlPlaneMetrics; refresh: () => Promise<void> }): void {
  if (!d.auth.token && !d.auth.basicAuth) return;
  // One scrape at a time: a second one's reset must not empty the series the first is writing out.
  let last: Promise<unknown> = Promise.resolve();
  app.get('/metrics', async (req, reply) => {
    if (!mayScrape(d.auth, req.headers.authorization)) {
      if (d.auth.basicAuth) reply.header('www-authenticate', 'Basic realm="kumulus metrics"');
      throw new DomainError('UNAUTHENTICATED');
    }
    const text = last.catch(() => {}).then(async () => {
      await d.refresh();
      return d.metrics.registry.metrics();
    });
    last = text;
    reply.header('content-type', d.metrics.registry.contentType);
    return text;
  });
}
