/**
 * Wire schemas of lifecycle webhooks: a URL that receives signed JSON deliveries of server events.
 */
import { type Static, Type } from '@sinclair/typebox';

const Timestamp = Type.String({ format: 'date-time' });

/** The events a webhook can ask for. */
export const WEBHOOK_EVENTS = ['server.created', 'server.started', 'server.stopped', 'server.deleted', 'operation.failed', 'monitor.down', 'monitor.up', 'monitor.certificate_expiring', 'backup.failed', 'backup.verification_failed'] as const;
export const WebhookEvent = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));
export type WebhookEvent = Static<typeof WebhookEvent>;

export const CreateWebhook = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://', description: 'http(s) URL that receives POSTed deliveries' }),
    events: Type.Array(WebhookEvent, { minItems: 1, uniqueItems: true }),
    allTenants: Type.Optional(Type.Boolean({ description: "operators: the events of every tenant, not only their own" })),
  },
  { additionalProperties: false },
);
export type CreateWebhook = Static<typeof CreateWebhook>;

export const Webhook = Type.Object(
  {
    id: Type.String({ pattern: '^whk_' }),
    tenantId: Type.String(),
    allTenants: Type.Boolean(),
    url: Type.String(),
    events: Type.Array(WebhookEvent),
    createdAt: Timestamp,
  },
  { $id: 'Webhook' },
);
export type Webhook = Static<typeof Webhook>;

/** The answer to a registration: the webhook and its signing secret, shown this once. */
export const CreatedWebhook = Type.Object({ webhook: Webhook, secret: Type.String({ description: 'HMAC-SHA256 key of the X-Kumulus-Signature header; shown only now' }) });
export type CreatedWebhook = Static<typeof CreatedWebhook>;

export const WebhookDelivery = Type.Object({
  id: Type.String({ pattern: '^whd_' }),
  seq: Type.Integer({ description: 'order of the events of this webhook' }),
  event: WebhookEvent,
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;
