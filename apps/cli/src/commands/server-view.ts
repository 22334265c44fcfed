/**
 * Finding a server by id or name, and showing servers as tables and fields.
 */
import type { KumulusClient, Server } from '@kumulus/api';
import { CliError, Exit } from '../errors.ts';
import { t } from '../i18n.ts';
import { formatTime, headers, printFields, printTable } from '../output.ts';

const idPattern = /^srv_[0-9a-z]{20,32}$/;

/** Looks a server up by its id or, failing the id's shape, by its name; exit 3 when there is none. */
export async function resolveServer(client: KumulusClient, ref: string): Promise<Server> {
  if (idPattern.test(ref)) return client.getServer(ref);
  const matches = (await client.all((q) => client.listServers(q))).filter((s) => s.name === ref);
  if (matches.length === 0) throw new CliError(Exit.notFound, 'SERVER_NOT_FOUND', t('error.serverNotFound', { ref }));
  if (matches.length > 1) throw new CliError(Exit.invalidInput, 'AMBIGUOUS_NAME', t('error.ambiguous', { ref }));
  return matches[0]!;
}

/** Prints servers as one row each. */
export function printServerTable(servers: Server[]): void {
  printTable(
    headers('col.id', 'col.name', 'col.phase', 'col.plan', 'col.image', 'col.ipv4', 'col.created'),
    servers.map((s) => [
      s.id,
      s.name,
      s.status.phase,
      s.spec.plan,
      s.spec.image,
      // The list shows bare addresses; `show` keeps the prefix length.
      s.spec.nics.map((n) => n.ipv4.split('/')[0]).join(','),
      formatTime(s.createdAt),
    ]),
  );
}

/** Prints one server with its spec and observed status. */
export function printServer(s: Server): void {
  const fields: [string, string][] = [
    [t('field.id'), s.id],
    [t('field.name'), s.name],
    [t('field.phase'), s.status.phase],
    [t('field.kind'), s.spec.kind],
    [t('field.plan'), s.spec.plan],
    [t('field.image'), s.spec.image],
    [t('field.hostname'), s.spec.hostname],
    [t('field.ipv4'), s.spec.nics.map((n) => `${n.ipv4} (${n.network})`).join(', ')],
    [t('field.power'), s.spec.powerState],
    [t('field.password'), s.spec.hasPassword ? t('yes') : t('no')],
    [t('field.sshKeys'), String(s.spec.sshKeys.length)],
    [t('field.node'), s.status.node ?? ''],
    [t('field.generation'), `${s.status.observedGeneration}/${s.generation}`],
    [t('field.created'), formatTime(s.createdAt)],
    [t('field.updated'), formatTime(s.updatedAt)],
  ];
  fields.push([t('field.conditions'), s.status.conditions.length ? '' : '-']);
  printFields(fields);
  for (const c of s.status.conditions) {
    process.stdout.write(`  ${c.type}=${c.status}  ${c.reason}${c.message ? `: ${c.message}` : ''}\n`);
  }
}
