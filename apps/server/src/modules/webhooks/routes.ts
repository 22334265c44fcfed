import { CreatedWebhook, CreateWebhook, ListQuery, Page, Webhook, WebhookDelivery } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { idOf, type RouteDef } from '../../http/route.ts';
import type { Webhooks } from './service.ts';

const WebhookParam = Type.Object({ id: Type.String({ pattern: '^whk_[0-9a-z]{20,32}$' }) });

/** Lifecycle webhooks and their delivery logs. */
export function webhookRoutes(webhooks: Webhooks): RouteDef[] {
  return [
    { method: 'GET', url: '/webhooks', summary: "List your tenant's webhooks (operators: all)", tag: 'webhooks', query: ListQuery, responses: { 200: Page(Webhook) }, handler: (req, _r, p) => webhooks.list(p, req.query as ListQuery) },
    {
      method: 'POST',
      url: '/webhooks',
      summary: 'Register a URL for lifecycle events; answers the signing secret once',
      tag: 'webhooks',
      body: CreateWebhook,
      errors: ['FORBIDDEN', 'WEBHOOK_URL_REFUSED'],
      responses: { 201: CreatedWebhook },
      handler: async (req, reply, p) => reply.status(201).send(await webhooks.create(p, req.body as CreateWebhook, req.id)),
    },
    {
      method: 'DELETE',
      url: '/webhooks/:id',
      summary: 'Delete a webhook and its delivery log',
      tag: 'webhooks',
      params: WebhookParam,
      errors: ['WEBHOOK_NOT_FOUND', 'FORBIDDEN'],
      responses: { 204: null },
      handler: async (req, reply, p) => {
        await webhooks.delete(p, idOf(req), req.id);
        return reply.status(204).send();
      },
    },
    {
      method: 'GET',
      url: '/webhooks/:id/deliveries',
      summary: 'The delivery log of a webhook: state, attempts, last HTTP status and error',
      tag: 'webhooks',
      params: WebhookParam,
      query: ListQuery,
      errors: ['WEBHOOK_NOT_FOUND'],
      responses: { 200: Page(WebhookDelivery) },
      handler: (req, _r, p) => webhooks.deliveries(p, idOf(req), req.query as ListQuery),
    },
  ];
}
