/** The Kumulus API package: wire schemas and the typed client. */
export * from './client.ts';
export * from './networks.ts';
export * from './schemas.ts';
export * from './public-ips-client.ts';
export * from './schemas/billing.ts';
export * from './schemas/network-public.ts';
export * from './schemas/invoices.ts';
export * from './schemas/storage.ts';
export * from './schemas/network.ts';
export * from './schemas/firewall.ts';
export * from './schemas/snapshots.ts';
export * from './schemas/server-actions.ts';
export * from './schemas/webhooks.ts';
export * from './schemas/backups.ts';
export * from './backups-client.ts';
export * from './schemas/backup-schedules.ts';
