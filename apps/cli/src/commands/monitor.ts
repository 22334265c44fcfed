/**
 * `kumulus monitor list|show|create|update|pause|resume|delete|history`: uptime monitors (HTTP(S), TCP,
 * ping, TLS certificate) with their state, uptime and check history.
 */
import { type CreateMonitor, type Monitor, monitorApi, type MonitorApi, type UpdateMonitor } from '@kumulus/api';
import { dispatch, fetchList, parseCommand, requireOption, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus monitor <command> [options]

Commands:
  list                              your monitors with state and uptime (operators: every tenant's)
  show MONITOR                      one monitor
  create --name NAME --type http|tcp|ping|tls TARGET [SETTINGS]
                                    makes a monitor; its first check runs at once
  update MONITOR [SETTINGS]         changes its settings
  pause MONITOR / resume MONITOR    stops and restarts its checks
  delete MONITOR                    deletes it with its history
  history MONITOR [--limit N]       its latest check results, newest first

TARGET: --url URL (http), --host HOST (tcp, ping, tls), or --server SERVER (any type; the address
follows the server) with --port PORT (tcp; tls, default 443; http) and for http --scheme http|https, --path /P.
SETTINGS: --interval SECONDS (default 60), --timeout SECONDS (10), --retries N (failed checks tolerated
before it alerts, 0), --email ADDRESS (repeatable), --keyword TEXT, --expect-status CODE (repeatable),
--max-redirects N, --max-response-ms MS, --ignore-tls-errors.
MONITOR is a monitor's id (mon_…) or name.

Options:
  -o, --output table|json`,
  de: `Aufruf: kumulus monitor <Befehl> [Optionen]

Befehle:
  list                              Ihre Monitore mit Zustand und Verfügbarkeit (Betreiber: die aller Mandanten)
  show MONITOR                      ein Monitor
  create --name NAME --type http|tcp|ping|tls ZIEL [EINSTELLUNGEN]
                                    legt einen Monitor an; seine erste Prüfung läuft sofort
  update MONITOR [EINSTELLUNGEN]    ändert seine Einstellungen
  pause MONITOR / resume MONITOR    hält seine Prüfungen an und setzt sie fort
  delete MONITOR                    löscht ihn mit seinem Verlauf
  history MONITOR [--limit N]       seine letzten Prüfergebnisse, neueste zuerst

ZIEL: --url URL (http), --host HOST (tcp, ping, tls) oder --server SERVER (jeder Typ; die Adresse folgt
dem Server) mit --port PORT (tcp; tls, Standard 443; http) und für http --scheme http|https, --path /P.
EINSTELLUNGEN: --interval SEKUNDEN (Standard 60), --timeout SEKUNDEN (10), --retries N (tolerierte
Fehlschläge vor dem Alarm, 0), --email ADRESSE (mehrfach), --keyword TEXT, --expect-status CODE (mehrfach),
--max-redirects N, --max-response-ms MS, --ignore-tls-errors.
MONITOR ist die ID (mon_…) oder der Name eines Monitors.

Optionen:
  -o, --output table|json`,
};

const text = {
  en: { deleted: 'monitor {name} deleted', notFound: 'no monitor named or with id "{ref}"', up: 'up', down: 'down', pending: 'pending', paused: 'paused', ok: 'ok', failed: 'failed' },
  de: { deleted: 'Monitor {name} gelöscht', notFound: 'kein Monitor mit dem Namen oder der ID „{ref}“', up: 'erreichbar', down: 'ausgefallen', pending: 'ausstehend', paused: 'pausiert', ok: 'ok', failed: 'fehlgeschlagen' },
};
const say_ = () => text[language];

const settingOptions = {
  interval: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  email: { type: 'string', multiple: true },
  keyword: { type: 'string' },
  'expect-status': { type: 'string', multiple: true },
  'max-redirects': { type: 'string' },
  'max-response-ms': { type: 'string' },
} as const;

/** Runs `kumulus monitor …`. */
export function runMonitor(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus monitor', pick(groupHelp), { list, show, create, update, pause: (a) => setPaused(a, true), resume: (a) => setPaused(a, false), delete: remove, history });
}

function helpOr(help: boolean): boolean {
  if (help) process.stdout.write(pick(groupHelp) + '\n');
  return help;
}

/** A whole number option, checked here so the error names the flag. */
function int(value: string | undefined, name: string, cmd: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usageError(t('usage.badValue', { name, value, expected: 'a whole number >= 0' }), cmd);
  return n;
}

/** The settings flags as API fields; absent flags are left out. */
function settings(v: Record<string, string | boolean | string[] | undefined>, cmd: string): UpdateMonitor {
  const out: UpdateMonitor = {};
  const n = (flag: string) => int(v[flag] as string | undefined, flag, cmd);
  if (v.interval !== undefined) out.intervalSeconds = n('interval');
  if (v.timeout !== undefined) out.timeoutSeconds = n('timeout');
  if (v.retries !== undefined) out.retries = n('retries');
  if (v['max-redirects'] !== undefined) out.maxRedirects = n('max-redirects');
  if (v['max-response-ms'] !== undefined) out.maxResponseMs = n('max-response-ms');
  if (v.email !== undefined) out.emails = v.email as string[];
  if (v.keyword !== undefined) out.keyword = v.keyword as string;
  if (v['expect-status'] !== undefined) out.expectStatus = (v['expect-status'] as string[]).map((s) => int(s, 'expect-status', cmd)!);
  return out;
}

/** Finds a monitor by id or name. */
async function resolve(api: MonitorApi, ref: string, cmd: string): Promise<Monitor> {
  if (/^mon_[0-9a-z]{20,32}$/.test(ref)) return api.get(ref);
  const found = (await api.list({ limit: 500 })).items.find((m) => m.name === ref);
  if (!found) throw usageError(say_().notFound.replace('{ref}', ref), cmd);
  return found;
}

const stateText = (m: Monitor) => say_()[m.status.state];
const percent = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)} %`);
const targetOf = (m: Monitor) => m.settings.url ?? m.status.target ?? m.settings.host ?? m.settings.server ?? '';

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor list';
  const { values, positionals, output, help } = parseCommand(args, sortOptions, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const all = await fetchList((q) => monitorApi(client).list(q), values, cmd);
  const head = pick({ en: 'ID NAME TYPE TARGET STATE 24H 30D LAST CHECK', de: 'ID NAME TYP ZIEL ZUSTAND 24H 30T LETZTE PRÜFUNG' }).split(' ');
  const rows = all.map((m) => [m.id, m.name, m.type, targetOf(m), stateText(m), percent(m.status.uptime24h), percent(m.status.uptime30d), m.status.lastMessage ?? '']);
  emit(output, all, () => printTable([...head.slice(0, 7), head.slice(7).join(' ')], rows));
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['MONITOR'], cmd);
  const { client } = await connect();
  const m = await resolve(monitorApi(client), ref!, cmd);
  emit(output, m, () => printMonitor(m));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor create';
  const opts = { name: { type: 'string' }, type: { type: 'string' }, url: { type: 'string' }, host: { type: 'string' }, server: { type: 'string' }, port: { type: 'string' }, scheme: { type: 'string' }, path: { type: 'string' }, 'ignore-tls-errors': { type: 'boolean' }, ...settingOptions } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const type = requireOption(values.type, 'type', cmd);
  if (!['http', 'tcp', 'ping', 'tls'].includes(type)) throw usageError(t('usage.badValue', { name: 'type', value: type, expected: 'http, tcp, ping or tls' }), cmd);
  const body: CreateMonitor = {
    name: requireOption(values.name, 'name', cmd),
    type: type as CreateMonitor['type'],
    ...(values.url ? { url: values.url } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.server ? { server: values.server } : {}),
    ...(values.port !== undefined ? { port: int(values.port, 'port', cmd) } : {}),
    ...(values.scheme ? { scheme: values.scheme as 'http' | 'https' } : {}),
    ...(values.path ? { path: values.path } : {}),
    ...(values['ignore-tls-errors'] ? { ignoreTlsErrors: true } : {}),
    ...settings(values, cmd),
  };
  const { client } = await connect();
  const m = await monitorApi(client).create(body);
  emit(output, m, () => printMonitor(m));
}

async function update(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor update';
  const { values, positionals, output, help } = parseCommand(args, { name: { type: 'string' }, ...settingOptions } as const, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['MONITOR'], cmd);
  const { client } = await connect();
  const api = monitorApi(client);
  const m = await api.update((await resolve(api, ref!, cmd)).id, { ...(values.name ? { name: values.name } : {}), ...settings(values, cmd) });
  emit(output, m, () => printMonitor(m));
}

async function setPaused(args: string[], paused: boolean): Promise<void> {
  const cmd = `kumulus monitor ${paused ? 'pause' : 'resume'}`;
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['MONITOR'], cmd);
  const { client } = await connect();
  const api = monitorApi(client);
  const m = await api.update((await resolve(api, ref!, cmd)).id, { paused });
  emit(output, m, () => printMonitor(m));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor delete';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['MONITOR'], cmd);
  const { client } = await connect();
  const api = monitorApi(client);
  const m = await resolve(api, ref!, cmd);
  await api.delete(m.id);
  emit(output, { deleted: m }, () => say(say_().deleted.replace('{name}', m.name)));
}

async function history(args: string[]): Promise<void> {
  const cmd = 'kumulus monitor history';
  const { values, positionals, output, help } = parseCommand(args, { limit: { type: 'string' } } as const, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['MONITOR'], cmd);
  const limit = int(values.limit, 'limit', cmd) ?? 20;
  const { client } = await connect();
  const api = monitorApi(client);
  const results = (await api.results((await resolve(api, ref!, cmd)).id, { order: 'desc', limit: Math.min(500, Math.max(1, limit)) })).items;
  const head = pick({ en: 'TIME RESULT MS MESSAGE', de: 'ZEIT ERGEBNIS MS MELDUNG' }).split(' ');
  emit(output, results, () => printTable(head, results.map((r) => [formatTime(r.at), r.ok ? say_().ok : say_().failed, r.responseMs === null ? '–' : String(r.responseMs), r.message])));
}

function printMonitor(m: Monitor): void {
  printFields([
    ['ID', m.id],
    ['Name', m.name],
    [pick({ en: 'Type', de: 'Typ' }), m.type],
    [pick({ en: 'Target', de: 'Ziel' }), targetOf(m)],
    [pick({ en: 'State', de: 'Zustand' }), `${stateText(m)} (${pick({ en: 'since', de: 'seit' })} ${formatTime(m.status.since)})`],
    [pick({ en: 'Last check', de: 'Letzte Prüfung' }), `${formatTime(m.status.lastCheckedAt)} ${m.status.lastMessage ?? ''}`.trim()],
    [pick({ en: 'Uptime 24 h / 30 d', de: 'Verfügbarkeit 24 h / 30 T' }), `${percent(m.status.uptime24h)} / ${percent(m.status.uptime30d)}`],
    [pick({ en: 'Every', de: 'Alle' }), pick({ en: `${m.settings.intervalSeconds} s, timeout ${m.settings.timeoutSeconds} s, retries ${m.settings.retries}`, de: `${m.settings.intervalSeconds} s, Zeitlimit ${m.settings.timeoutSeconds} s, Wiederholungen ${m.settings.retries}` })],
    ...(m.status.certificateExpiresAt ? [[pick({ en: 'Certificate until', de: 'Zertifikat bis' }), formatTime(m.status.certificateExpiresAt)] as [string, string]] : []),
    ...(m.settings.emails?.length ? [[pick({ en: 'E-mail to', de: 'E-Mail an' }), m.settings.emails.join(', ')] as [string, string]] : []),
  ]);
}
