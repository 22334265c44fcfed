/**
 * `kumulus audit list`: the audit log — who changed what, when — of your tenant, or (operators)
 * of one tenant or every tenant; filtered by target and action, sorted and paged as every list.
 */
import { dispatch, fetchList, parseCommand, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, formatTime, printTable } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus audit list [options]

Lists the audit log, oldest first: every change made through the API, by whom, to what.

Options:
  --tenant all|TENANT_ID   every tenant's lines, or one tenant's (operators; default: your own tenant)
  --target ID              only the lines about one resource, e.g. a server's srv_… id
  --action ACTION          only one action (server.resize), or a kind with .* (server.*)
  --newest                 newest first
  --sort KEY[:asc|desc],…  sort by at, action, created or id
  --page N, --per-page N   one page of the log (where it sits goes to stderr)
  -o, --output table|json  json prints the API's AuditEntry objects`,
  de: `Aufruf: kumulus audit list [Optionen]

Zeigt das Audit-Log, älteste Einträge zuerst: jede Änderung über die API, von wem, woran.

Optionen:
  --tenant all|MANDANTEN_ID  die Einträge aller Mandanten oder eines Mandanten (Betreiber; Standard: Ihr eigener)
  --target ID                nur die Einträge zu einer Ressource, z. B. der srv_…-ID eines Servers
  --action AKTION            nur eine Aktion (server.resize) oder eine Art mit .* (server.*)
  --newest                   neueste zuerst
  --sort SCHLÜSSEL[:asc|desc],…  sortiert nach at, action, created oder id
  --page N, --per-page N     eine Seite des Logs (wo sie steht, geht auf stderr)
  -o, --output table|json    json gibt die AuditEntry-Objekte der API aus`,
};

/** Runs `kumulus audit …`. */
export function runAudit(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus audit', pick(groupHelp), { list });
}

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus audit list';
  const opts = { tenant: { type: 'string' }, target: { type: 'string' }, action: { type: 'string' }, newest: { type: 'boolean' }, ...sortOptions } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  if (values.tenant !== undefined && !/^(all|ten_[0-9a-z]{20,32})$/.test(values.tenant)) throw usageError(t('usage.badValue', { name: 'tenant', value: values.tenant, expected: 'all|ten_…' }), cmd);
  const { client } = await connect();
  const filter = {
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(values.target ? { target: values.target } : {}),
    ...(values.action ? { action: values.action } : {}),
    ...(values.newest ? { order: 'desc' as const } : {}),
  };
  const lines = await fetchList((q) => client.listAudit({ ...q, ...filter }), values, cmd);
  const head = ({ en: ['AT', 'TENANT', 'ACTOR', 'ACTION', 'TARGET', 'DETAIL'], de: ['ZEIT', 'MANDANT', 'AKTEUR', 'AKTION', 'ZIEL', 'DETAIL'] })[language];
  emit(output, lines, () =>
    printTable(
      head,
      lines.map((l) => [formatTime(l.at), l.tenantId ?? '-', l.actorId ?? 'system', l.action, l.targetId, short(JSON.stringify(l.detail))]),
    ),
  );
}

/** A detail cut to fit a table cell. */
const short = (text: string) => (text === '{}' ? '-' : text.length > 60 ? `${text.slice(0, 59)}…` : text);
