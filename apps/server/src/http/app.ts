import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { DomainError } from '../lib/errors.ts';
import type { Identity } from '../modules/identity/service.ts';
import { registerBodyParsers } from './body.ts';
import { handleError } from './errors.ts';
import type { Idempotency } from './idempotency.ts';
import { buildOpenApi } from './openapi.ts';
import { idempotencyHook, type RouteDef, type RouteRegistry, registerRoutes } from './route.ts';
import { compileSchema } from './validation.ts';

/** What the HTTP app is built from. */
export interface AppDeps {
  identity: Identity;
  idempotency: Idempotency;
  routes: RouteDef[];
  version: string;
  /** Folder of the built dashboard, served at `/` when it exists. */
  webDir?: string;
  log?: boolean;
  /** Registers extra plugins and routes (the console's WebSocket) before the app is ready. */
  extend?: (app: FastifyInstance) => Promise<void>;
}

/**
 * Vite names everything under assets/ by its content hash, so those never change and are kept
 * for a year; index.html (and the rest) must be checked each time, or a new release is missed.
 */
export function cacheControlFor(path: string): string {
  return /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Builds the Fastify app: API routes, OpenAPI document, health check, dashboard. */
export async function buildApp(d: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: d.log ? { level: 'info' } : false,
    bodyLimit: 1_048_576,
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    requestIdHeader: false,
    trustProxy: false,
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('idempotencyKey', null);
  app.setValidatorCompiler(compileSchema);
  app.setErrorHandler(handleError);
  registerBodyParsers(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  idempotencyHook(app, d.idempotency);
  await app.register(cookie);
  if (d.extend) await d.extend(app);

  const registry: RouteRegistry = [];
  registerRoutes(app, { identity: d.identity, idempotency: d.idempotency, registry }, d.routes);
  const openapi = buildOpenApi(registry, d.version);
  app.get('/api/v1/openapi.json', async () => openapi);
  app.get('/healthz', async () => ({ status: 'ok', version: d.version }));

  if (d.webDir && existsSync(d.webDir)) {
    await app.register(fastifyStatic, {
      root: d.webDir,
      wildcard: false,
      // The build writes .br and .gz beside each text file; the variant goes by Accept-Encoding.
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) => reply.header('cache-control', cacheControlFor(path)),
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // Dashboard routes are the SPA's own: any non-API GET answers its index page.
    if (req.method === 'GET' && !req.url.startsWith('/api/') && d.webDir && existsSync(`${d.webDir}/index.html`)) {
      return reply.sendFile('index.html');
    }
    return handleError(new DomainError('ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] ?? '' }), req, reply);
  });
  return app;
}
