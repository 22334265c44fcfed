import { ErrorBody } from '@kumulus/api';
import { KindGuard } from '@sinclair/typebox';
import { errorCodesOf, errorResponses } from './openapi-errors.ts';
import type { RouteRegistry } from './route.ts';
import { stripIds } from './validation.ts';

/** Builds the OpenAPI 3.1 document from the registered routes' own schemas. */
export function buildOpenApi(registry: RouteRegistry, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const unexpected = {
    description: 'An unexpected failure (`INTERNAL`); the answer carries the request id to give the operator.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    'x-error-codes': ['INTERNAL'],
  };
  for (const r of registry) {
    const path = `/api/v1${r.url}`.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...Object.entries((r.params as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: stripIds(schema) })),
      ...Object.entries((r.query as { properties?: Record<string, unknown>; required?: string[] } | undefined)?.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: (r.query as { required?: string[] }).required?.includes(name) ?? false,
        schema: stripIds(schema),
      })),
      ...(r.method === 'POST' ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }] : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] = schema ? { description: 'success', content: { 'application/json': { schema: stripIds(schema) } } } : { description: 'no content' };
    }
    Object.assign(responses, errorResponses(errorCodesOf(r)), { default: unexpected });
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${r.url.replace(/\/:?(\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: r.summary,
      tags: [r.tag],
      ...(parameters.length ? { parameters } : {}),
      // A body wrapped in Type.Optional may be left out altogether (a start action needs none).
      ...(r.body ? { requestBody: { required: !KindGuard.IsOptional(r.body), content: { 'application/json': { schema: stripIds(r.body) } } } } : {}),
      responses,
      ...(r.auth === false ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Kumulus API', version, description: 'Self-hosted cloud: vServers, operations, identity.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas: { Error: stripIds(ErrorBody) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (kmt_…)' },
        session: { type: 'apiKey', in: 'cookie', name: 'kumulus_session' },
      },
    },
  };
}
