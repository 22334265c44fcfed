/**
 * `kumulus public-ip list|show|allocate|assign|unassign|release|set-rdns`: the tenant's public
 * IPs, held as resources of their own and assigned to one server at a time.
 */
import { type PublicIp, publicIpApi } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, listOptions, parseCommand, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { language, pick } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus public-ip <command> [options]

Commands:
  list [--sort KEY[:asc|desc],…] [-l SELECTOR]  your public IPs, sorted (name, created), only those whose labels match
  show IP                                    one public IP
  allocate --name NAME [--family ipv4|ipv6] [--pool POOL] [--address ADDRESS] [--server SERVER]
                                             takes an address from a pool (any pool of the family by default)
  assign IP SERVER                           routes the address to a server (its NIC on the default network)
  unassign IP                                takes it off its server; you keep it
  label IP KEY=VALUE… [-r KEY]…              sets and removes labels; the others stay
  release IP                                 gives it back (it must be unassigned)
  set-rdns IP NAME|--clear                   sets (or clears) its reverse DNS name

IP is a public IP's id (pip_…) or name; SERVER a server's id or name.

Options:
  -o, --output table|json`,
  de: `Aufruf: kumulus public-ip <Befehl> [Optionen]

Befehle:
  list [--sort SCHLÜSSEL[:asc|desc],…] [-l SELEKTOR]  Ihre öffentlichen IPs, sortiert (name, created), nur die mit passenden Labels
  show IP                                    eine öffentliche IP
  allocate --name NAME [--family ipv4|ipv6] [--pool POOL] [--address ADRESSE] [--server SERVER]
                                             nimmt eine Adresse aus einem Pool (standardmäßig aus einem beliebigen der Adressfamilie)
  assign IP SERVER                           leitet die Adresse zu einem Server (seiner Netzwerkkarte im Standardnetz)
  unassign IP                                nimmt sie ihrem Server weg; sie bleibt Ihre
  label IP SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…   setzt und entfernt Labels; die übrigen bleiben
  release IP                                 gibt sie zurück (sie darf keinem Server zugewiesen sein)
  set-rdns IP NAME|--clear                   setzt (oder löscht) ihren Reverse-DNS-Namen

IP ist die ID (pip_…) oder der Name einer öffentlichen IP; SERVER die ID oder der Name eines Servers.

Optionen:
  -o, --output table|json`,
};

const text = {
  en: { released: 'public IP {name} ({address}) released', none: '(none)' },
  de: { released: 'Öffentliche IP {name} ({address}) freigegeben', none: '(keiner)' },
};
const choose = <T>(both: { en: T; de: T }): T => both[language];
const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/** Runs `kumulus public-ip …`. */
export function runPublicIp(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus public-ip', pick(groupHelp), { list, show, allocate, assign, unassign, release, 'set-rdns': setRdns,
    label: labelCommand({ group: 'kumulus public-ip', arg: 'IP', help: () => pick(groupHelp), find: (c, ref) => publicIpApi(c).get(ref), save: (c, p, labels) => publicIpApi(c).update(p.id, { labels }) }),
  });
}

/** Prints the group's help when asked for; answers whether it did. */
function helpOr(help: boolean): boolean {
  if (help) process.stdout.write(pick(groupHelp) + '\n');
  return help;
}

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip list';
  const { values, positionals, output, help } = parseCommand(args, listOptions, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const api = publicIpApi(client);
  const ips = await fetchList((q) => api.list(q), values, cmd);
  const head = choose({ en: ['ID', 'NAME', 'ADDRESS', 'SERVER', 'REVERSE DNS', 'CREATED'], de: ['ID', 'NAME', 'ADRESSE', 'SERVER', 'REVERSE-DNS', 'ERSTELLT'] });
  emit(output, ips, () => printTable(head, ips.map((p) => [p.id, p.name, p.address, p.server ?? '-', p.reverseDns ?? '-', formatTime(p.createdAt)])));
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['IP'], cmd);
  const { client } = await connect();
  const ip = await publicIpApi(client).get(ref!);
  emit(output, ip, () => printIp(ip));
}

async function allocate(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip allocate';
  const opts = { name: { type: 'string' }, family: { type: 'string' }, pool: { type: 'string' }, address: { type: 'string' }, server: { type: 'string' }, ...labelOptions } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (helpOr(help)) return;
  takePositionals(positionals, [], cmd);
  const family = values.family as 'ipv4' | 'ipv6' | undefined;
  const body = {
    name: requireOption(values.name, 'name', cmd),
    ...(family ? { family } : {}),
    ...(values.pool ? { pool: values.pool } : {}),
    ...(values.address ? { address: values.address } : {}),
    ...(values.server ? { server: values.server } : {}),
    ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}),
  };
  const { client } = await connect();
  const ip = await publicIpApi(client).allocate(body);
  emit(output, ip, () => printIp(ip));
}

async function assign(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip assign';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref, server] = takePositionals(positionals, ['IP', 'SERVER'], cmd);
  const { client } = await connect();
  const ip = await publicIpApi(client).assign(ref!, server!);
  emit(output, ip, () => printIp(ip));
}

async function unassign(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip unassign';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['IP'], cmd);
  const { client } = await connect();
  const ip = await publicIpApi(client).unassign(ref!);
  emit(output, ip, () => printIp(ip));
}

async function release(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip release';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (helpOr(help)) return;
  const [ref] = takePositionals(positionals, ['IP'], cmd);
  const { client } = await connect();
  const api = publicIpApi(client);
  const ip = await api.get(ref!);
  await api.release(ip.id);
  emit(output, { released: ip }, () => say(fill(choose(text).released, { name: ip.name, address: ip.address })));
}

async function setRdns(args: string[]): Promise<void> {
  const cmd = 'kumulus public-ip set-rdns';
  const { values, positionals, output, help } = parseCommand(args, { clear: { type: 'boolean' } } as const, cmd);
  if (helpOr(help)) return;
  const [ref, name] = values.clear ? [...takePositionals(positionals, ['IP'], cmd), undefined] : takePositionals(positionals, ['IP', 'NAME'], cmd);
  const { client } = await connect();
  const ip = await publicIpApi(client).update(ref!, { reverseDns: name ?? null });
  emit(output, ip, () => printIp(ip));
}

function printIp(p: PublicIp): void {
  const none = choose(text).none;
  printFields([
    [pick({ en: 'ID', de: 'ID' }), p.id],
    [pick({ en: 'Name', de: 'Name' }), p.name],
    [pick({ en: 'Address', de: 'Adresse' }), p.address],
    [pick({ en: 'Family', de: 'Familie' }), p.family],
    [pick({ en: 'Pool', de: 'Pool' }), p.pool],
    [pick({ en: 'Server', de: 'Server' }), p.server ?? none],
    [pick({ en: 'Reverse DNS', de: 'Reverse-DNS' }), p.reverseDns ?? none],
    [pick({ en: 'Created', de: 'Erstellt' }), formatTime(p.createdAt)],
  ]);
}
