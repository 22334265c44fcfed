/**
 * Wire schemas of uptime monitors: HTTP(S), TCP, ICMP ping and TLS-certificate checks run by the
 * control plane on a schedule, with their state, uptime and history.
 */
import { type Static, Type } from '@sinclair/typebox';

const Timestamp = Type.String({ format: 'date-time' });

/** What a monitor checks. */
export const MonitorType = Type.Union([Type.Literal('http'), Type.Literal('tcp'), Type.Literal('ping'), Type.Literal('tls')]);
export type MonitorType = Static<typeof MonitorType>;

/** Where a monitor stands: pending before its first verdict, paused while switched off. */
export const MonitorState = Type.Union([Type.Literal('pending'), Type.Literal('up'), Type.Literal('down'), Type.Literal('paused')]);
export type MonitorState = Static<typeof MonitorState>;

const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_-]+$', description: 'a host name or an IPv4/IPv6 address' });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/** The settings a monitor is made with; which target fields apply depends on `type`. */
const MonitorSettings = {
  url: Type.Optional(Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://', description: 'http: the URL fetched (or give server, scheme, port, path)' })),
  host: Type.Optional(Host),
  server: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "a server's id or name: the address follows the server (its first NIC's), never a copy" })),
  scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'http with server: http (default) or https' })),
  port: Type.Optional(Port),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^/', description: 'http with server: the path, / by default' })),
  keyword: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'http: the body must contain this text' })),
  expectStatus: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, maxItems: 20, uniqueItems: true, description: 'http: accepted status codes after redirects; any 2xx by default' })),
  maxRedirects: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'http: redirects followed (5 by default); more is down' })),
  maxResponseMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000, description: 'http, tcp, ping: slower answers count as down' })),
  ignoreTlsErrors: Type.Optional(Type.Boolean({ description: 'https and tls: accept certificates not trusted by the host (self-signed)' })),
  intervalSeconds: Type.Optional(Type.Integer({ minimum: 20, maximum: 86_400, description: 'how often it checks; 60 by default' })),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'how long one check may take; 10 by default, less than the interval' })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'failed checks in a row tolerated before it is down and alerts; 0 by default' })),
  emails: Type.Optional(Type.Array(Type.String({ format: 'email', maxLength: 254 }), { maxItems: 10, uniqueItems: true, description: 'who is mailed on down, recovery and certificate warnings' })),
  paused: Type.Optional(Type.Boolean()),
};

/** A new monitor. */
export const CreateMonitor = Type.Object({ name: Type.String({ minLength: 1, maxLength: 63 }), type: MonitorType, ...MonitorSettings }, { additionalProperties: false });
export type CreateMonitor = Static<typeof CreateMonitor>;

/** A change to a monitor: the fields given replace the old ones (type and target stay). */
export const UpdateMonitor = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    keyword: MonitorSettings.keyword,
    expectStatus: MonitorSettings.expectStatus,
    maxRedirects: MonitorSettings.maxRedirects,
    maxResponseMs: MonitorSettings.maxResponseMs,
    intervalSeconds: MonitorSettings.intervalSeconds,
    timeoutSeconds: MonitorSettings.timeoutSeconds,
    retries: MonitorSettings.retries,
    emails: MonitorSettings.emails,
    paused: MonitorSettings.paused,
  },
  { additionalProperties: false },
);
export type UpdateMonitor = Static<typeof UpdateMonitor>;

/** A monitor with its state and uptime. */
export const Monitor = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  type: MonitorType,
  settings: Type.Object(MonitorSettings),
  status: Type.Object({
    state: MonitorState,
    since: Type.Union([Timestamp, Type.Null()], { description: 'when it entered this state' }),
    lastCheckedAt: Type.Union([Timestamp, Type.Null()]),
    lastMessage: Type.Union([Type.String(), Type.Null()]),
    lastResponseMs: Type.Union([Type.Integer(), Type.Null()]),
    failuresInRow: Type.Integer(),
    target: Type.Union([Type.String(), Type.Null()], { description: 'what the last check reached (the address a server reference resolved to)' }),
    certificateExpiresAt: Type.Union([Timestamp, Type.Null()], { description: 'tls and https: the end of the certificate last seen' }),
    uptime24h: Type.Union([Type.Number(), Type.Null()], { description: 'percentage of good checks in the last 24 hours; null without checks' }),
    uptime30d: Type.Union([Type.Number(), Type.Null()]),
  }),
  createdAt: Timestamp,
});
export type Monitor = Static<typeof Monitor>;

/** One check's result. */
export const MonitorResult = Type.Object({
  id: Type.String(),
  at: Timestamp,
  ok: Type.Boolean(),
  responseMs: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
});
export type MonitorResult = Static<typeof MonitorResult>;
