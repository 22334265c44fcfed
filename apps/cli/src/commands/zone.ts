/**
 * `kumulus zone list|show|create|set|delete` (operators): zones, their networks, and the matrix
 * of flows allowed between them. A flow is written as `ZONE PROTOCOL[/PORTS]`.
 */
import type { Zone, ZoneFlow } from '@kumulus/api';
import { dispatch, fetchList, parseCommand, requireOption, sortOptions, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';

const groupHelp = {
  en: `Usage: kumulus zone <command> [options]   (operators)

Commands:
  list                                              the zones, and the matrix of allowed flows
  show ZONE                                         one zone
  create --name NAME --purpose P [--network NET]… [--pool POOL]… [--flow FLOW]…   makes a zone
  set ZONE [--purpose P] [--network NET]… [--pool POOL]… [--no-pools] [--flow FLOW]… [--no-flows]
                                                    replaces what is given
  delete ZONE                                       deletes a zone (and the flows towards it)

NET is a network id (net_…) or "default"; a network is in one zone at most. POOL is a public
IP pool (id or name): its addresses are in the zone whichever network their server is on. FLOW is
"ZONE PROTOCOL[/PORTS]", e.g. --flow "servers tcp/443": new connections this zone may start
towards that zone. Everything else between zones is dropped, whatever tenants' firewalls say.
Purposes are e.g. server, office-backup, test, cameras, iot-actuators, iot-consumer.

Options:
  -o, --output table|json`,
  de: `Aufruf: kumulus zone <Befehl> [Optionen]   (Betreiber)

Befehle:
  list                                              die Zonen und die Matrix der erlaubten Flüsse
  show ZONE                                         eine Zone
  create --name NAME --purpose Z [--network NETZ]… [--pool POOL]… [--flow FLUSS]…   legt eine Zone an
  set ZONE [--purpose Z] [--network NETZ]… [--pool POOL]… [--no-pools] [--flow FLUSS]… [--no-flows]
                                                    ersetzt, was angegeben ist
  delete ZONE                                       löscht eine Zone (und die Flüsse zu ihr)

NETZ ist eine Netz-ID (net_…) oder "default"; ein Netz gehört zu höchstens einer Zone. POOL ist
ein öffentlicher IP-Pool (ID oder Name): seine Adressen gehören zur Zone, in welchem Netz ihr
Server auch ist. FLUSS ist
"ZONE PROTOKOLL[/PORTS]", z. B. --flow "servers tcp/443": neue Verbindungen, die diese Zone zu
jener aufbauen darf. Alles andere zwischen Zonen wird verworfen, gleich was die Firewalls der
Mandanten erlauben. Zwecke sind z. B. server, office-backup, test, cameras, iot-actuators, iot-consumer.

Optionen:
  -o, --output table|json`,
};

const text = {
  en: { deleted: 'zone {name} deleted', none: '(none)', badFlow: 'a flow as ZONE PROTOCOL[/PORTS]', matrix: 'Allowed flows (from → to)' },
  de: { deleted: 'Zone {name} gelöscht', none: '(keine)', badFlow: 'ein Fluss als ZONE PROTOKOLL[/PORTS]', matrix: 'Erlaubte Flüsse (von → nach)' },
};
const choose = <T>(both: { en: T; de: T }): T => both[language];

/** Runs `kumulus zone …`. */
export function runZone(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus zone', pick(groupHelp), { list, show, create, set, delete: remove });
}

function parseFlow(spec: string, cmd: string): ZoneFlow {
  const [to, protoPorts, extra] = spec.trim().split(/\s+/);
  const [protocol, ports] = (protoPorts ?? '').split('/');
  if (!to || extra !== undefined || !['tcp', 'udp', 'icmp', 'icmpv6', 'esp', 'gre', 'any'].includes(protocol ?? '')) {
    throw usageError(pick({ en: `invalid value for --flow: "${spec}" (expected ${text.en.badFlow})`, de: `ungültiger Wert für --flow: „${spec}“ (erwartet: ${text.de.badFlow})` }), cmd);
  }
  return { to, protocol: protocol as ZoneFlow['protocol'], ...(ports ? { ports: ports.split(',') } : {}) };
}

const flowText = (f: ZoneFlow) => `${f.protocol}${f.ports ? `/${f.ports.join(',')}` : ''}`;
const zoneOpts = { purpose: { type: 'string' }, network: { type: 'string', multiple: true }, pool: { type: 'string', multiple: true }, flow: { type: 'string', multiple: true } } as const;

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus zone list';
  const { values, positionals, output, help } = parseCommand(args, sortOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const zones = await fetchList((q) => client.listZones(q), values, cmd);
  emit(output, zones, () => {
    printTable(choose({ en: ['ID', 'NAME', 'PURPOSE', 'NETWORKS', 'POOLS'], de: ['ID', 'NAME', 'ZWECK', 'NETZE', 'POOLS'] }), zones.map((z) => [z.id, z.name, z.purpose, z.networks.join(',') || '-', z.pools.join(',') || '-']));
    say('');
    say(choose(text).matrix);
    // The matrix: a row per source zone, a column per target zone, "-" where nothing may pass.
    printTable(['', ...zones.map((z) => z.name)], zones.map((from) => [from.name, ...zones.map((to) => (from.id === to.id ? '·' : from.flows.filter((f) => f.to === to.id).map(flowText).join(' ') || '-'))]));
  });
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus zone show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['ZONE'], cmd);
  const { client } = await connect();
  const zone = await client.getZone(ref!);
  const names = new Map((await client.all((q) => client.listZones(q))).map((z) => [z.id, z.name]));
  emit(output, zone, () => printZone(zone, names));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus zone create';
  const { values, positionals, output, help } = parseCommand(args, { name: { type: 'string' }, ...zoneOpts }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const body = { name: requireOption(values.name, 'name', cmd), purpose: requireOption(values.purpose, 'purpose', cmd), networks: values.network ?? [], pools: values.pool ?? [], flows: (values.flow ?? []).map((f) => parseFlow(f, cmd)) };
  const { client } = await connect();
  const zone = await client.createZone(body);
  emit(output, zone, () => printZone(zone, new Map([[zone.id, zone.name]])));
}

async function set(args: string[]): Promise<void> {
  const cmd = 'kumulus zone set';
  const { values, positionals, output, help } = parseCommand(args, { ...zoneOpts, 'no-flows': { type: 'boolean' }, 'no-pools': { type: 'boolean' } }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['ZONE'], cmd);
  const body = {
    ...(values.purpose ? { purpose: values.purpose } : {}),
    ...(values.network ? { networks: values.network } : {}),
    ...(values.pool || values['no-pools'] ? { pools: values.pool ?? [] } : {}),
    ...(values.flow || values['no-flows'] ? { flows: (values.flow ?? []).map((f) => parseFlow(f, cmd)) } : {}),
  };
  const { client } = await connect();
  const zone = await client.updateZone(ref!, body);
  const names = new Map((await client.all((q) => client.listZones(q))).map((z) => [z.id, z.name]));
  emit(output, zone, () => printZone(zone, names));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus zone delete';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['ZONE'], cmd);
  const { client } = await connect();
  const zone = await client.getZone(ref!);
  await client.deleteZone(zone.id);
  emit(output, { deleted: zone.id }, () => say(choose(text).deleted.replace('{name}', zone.name)));
}

function printZone(z: Zone, names: Map<string, string>): void {
  const none = choose(text).none;
  printFields([
    ['ID', z.id],
    [pick({ en: 'Name', de: 'Name' }), z.name],
    [pick({ en: 'Purpose', de: 'Zweck' }), z.purpose],
    [pick({ en: 'Networks', de: 'Netze' }), z.networks.join(', ') || none],
    [pick({ en: 'Public IP pools', de: 'Öffentliche IP-Pools' }), z.pools.join(', ') || none],
    [pick({ en: 'May start', de: 'Darf aufbauen' }), z.flows.map((f) => `→ ${names.get(f.to) ?? f.to} ${flowText(f)}`).join('\n') || none],
    [pick({ en: 'Created', de: 'Erstellt' }), formatTime(z.createdAt)],
  ]);
}
