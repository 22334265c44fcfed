import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../lib/errors.ts';
import type { Identity } from '../modules/identity/service.ts';
import type { Principal } from '../modules/identity/principal.ts';
import { requirePrincipal } from './auth.ts';
import type { Idempotency } from './idempotency.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    idempotencyKey: string | null;
  }
}

/** The `:id` path parameter: a resource id (or, for servers, a name). */
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The `:id` of a route validated against IdParam. */
export const idOf = (req: { params: unknown }): string => (req.params as { id: string }).id;

/** One API operation: its schemas (which also feed the OpenAPI document) and its handler. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below /api/v1 in Fastify form (`/servers/:id`). */
  url: string;
  summary: string;
  tag: string;
  /** False for the few routes that work without a principal (sign-in, health). */
  auth?: boolean;
  /** True for the few routes a session that must first enrol a second factor may use. */
  enrolment?: boolean;
  body?: TSchema;
  query?: TSchema;
  params?: TSchema;
  /** Answers by status code; null for an empty body. */
  responses: Record<number, TSchema | null>;
  /**
   * The domain errors this route's own code can answer, for the OpenAPI document. Those that follow
   * from its shape (401 when it needs a principal, 400 when it has schemas, 404 for an `:id` …) are
   * added by the document builder and need not be listed.
   */
  errors?: ErrorCode[];
  /** `principal` is the authenticated caller; routes with `auth: false` must not use it. */
  handler: (req: FastifyRequest, reply: FastifyReply, principal: Principal) => Promise<unknown>;
}

/** Every route registered, for the OpenAPI document. */
export type RouteRegistry = RouteDef[];

/**
 * Registers routes under /api/v1 with authentication and Idempotency-Key handling, so each
 * module's routes file holds only what is particular to it.
 */
export function registerRoutes(app: FastifyInstance, ctx: { identity: Identity; idempotency: Idempotency; registry: RouteRegistry }, defs: RouteDef[]) {
  for (const def of defs) {
    ctx.registry.push(def);
    app.route({
      method: def.method,
      url: `/api/v1${def.url}`,
      schema: { ...(def.body ? { body: def.body } : {}), ...(def.query ? { querystring: def.query } : {}), ...(def.params ? { params: def.params } : {}) },
      // Authentication comes before validation: a stranger learns nothing from our error details.
      preValidation: async (req) => {
        if (def.auth !== false) req.principal = await requirePrincipal(ctx.identity, req, { enrolment: def.enrolment });
      },
      preHandler: async (req, reply) => {
        const key = req.headers['idempotency-key'];
        if (def.method !== 'POST' || typeof key !== 'string' || !req.principal) return;
        const replay = await ctx.idempotency.begin(req.principal.userId, key, req.method, req.url, req.body);
        if (replay) {
          reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8');
          return reply.status(replay.statusCode).send(replay.payload);
        }
        req.idempotencyKey = key;
      },
      handler: (req, reply) => def.handler(req, reply, req.principal as never),
    });
  }
}

/** Stores the answer of a request that reserved an Idempotency-Key (also an error answer). */
export function idempotencyHook(app: FastifyInstance, idempotency: Idempotency) {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.idempotencyKey && req.principal) {
      await idempotency.finish(req.principal.userId, req.idempotencyKey, reply.statusCode, typeof payload === 'string' ? payload : '');
    }
    return payload;
  });
}
