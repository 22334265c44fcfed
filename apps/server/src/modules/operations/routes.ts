import { ListQuery, Operation, Page } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Operations } from './service.ts';

const OperationQuery = Type.Composite([
  ListQuery,
  Type.Object({
    scope: Type.Optional(Type.Union([Type.Literal('tenant'), Type.Literal('all')])),
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')])),
    target: Type.Optional(Type.String({ maxLength: 64, description: "the target's id, or a server's name" })),
  }),
]);

/** Operations: list, show and wait. */
export function operationRoutes(operations: Operations): RouteDef[] {
  return [
    { method: 'GET', url: '/operations', summary: 'List operations (scope=all for operators)', tag: 'operations', query: OperationQuery, responses: { 200: Page(Operation) }, handler: (req, _r, p) => operations.list(p, req.query as never) },
    { method: 'GET', url: '/operations/:id', summary: 'Show an operation', tag: 'operations', params: IdParam, errors: ['OPERATION_NOT_FOUND'], responses: { 200: Operation }, handler: (req, _r, p) => operations.get(p, idOf(req)) },
    {
      method: 'GET',
      url: '/operations/:id/wait',
      summary: 'Wait until the operation ends or the timeout passes; answers its latest state',
      tag: 'operations',
      params: IdParam,
      query: Type.Object({ timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, default: 30 })) }),
      errors: ['OPERATION_NOT_FOUND'], responses: { 200: Operation },
      handler: (req, _r, p) => {
        const ac = new AbortController();
        req.raw.on('close', () => ac.abort());
        return operations.wait(p, idOf(req), ((req.query as { timeout?: number }).timeout ?? 30) * 1000, ac.signal);
      },
    },
  ];
}
