/** The Kumulus API package: wire schemas and the typed client. */
export * from './client.ts';
export * from './networks.ts';
export * from './schemas.ts';
export * from './schemas/billing.ts';
export * from './schemas/storage.ts';
export * from './schemas/server-actions.ts';
export * from './schemas/webhooks.ts';
