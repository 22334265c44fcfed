/**
 * `kumulus network list|create|show|rename|delete`: the tenant's private networks (vSwitches).
 */
import { randomUUID } from 'node:crypto';
import type { Network } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, listOptions, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { language, pick } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';
import { followOperation } from '../progress.ts';

const groupHelp = {
  en: `Usage: kumulus network <command> [options]

Commands:
  list [--sort KEY[:asc|desc],…] [-l SELECTOR]  your private networks, sorted (name, created), only those
                                                whose labels match (env=prod,!legacy)
  create --name NAME --cidr CIDR [--gateway IP] makes a network, e.g. --cidr 10.20.0.0/24
  show NETWORK                                  one network and the addresses held on it
  rename NETWORK NAME                           gives a network a new name
  label NETWORK KEY=VALUE… [-r KEY]…            sets and removes labels; the others stay
  delete NETWORK                                deletes a network no server is on any more

NETWORK is a network's id (net_…) or name. Put servers on a network with
kumulus server create … --nic NETWORK (or --nic NETWORK=ADDRESS); servers on one network
find each other as HOSTNAME.<network>.internal.

Options:
  --gateway IP       an address of the network announced to servers as their router (none by default)
  --ipv6-cidr PREFIX an IPv6 /64 (a ULA from fd00::/8 or a routed prefix): servers get their address by
                     SLAAC and find each other by name over IPv6 too (IPv4 only by default)
  --no-wait          create and delete return at once instead of following the operation
  --timeout SECONDS  how long to follow it (default 120)
  -o, --output table|json`,
  de: `Aufruf: kumulus network <Befehl> [Optionen]

Befehle:
  list [--sort SCHLÜSSEL[:asc|desc],…] [-l SELEKTOR]
                                                Ihre privaten Netze, sortiert (name, created), nur die,
                                                deren Labels passen (env=prod,!legacy)
  create --name NAME --cidr CIDR [--gateway IP] legt ein Netz an, z. B. --cidr 10.20.0.0/24
  show NETZ                                     ein Netz und die darin vergebenen Adressen
  rename NETZ NAME                              benennt ein Netz um
  label NETZ SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…    setzt und entfernt Labels; die übrigen bleiben
  delete NETZ                                   löscht ein Netz, an dem kein Server mehr hängt

NETZ ist die ID (net_…) oder der Name eines Netzes. Server kommen mit
kumulus server create … --nic NETZ (oder --nic NETZ=ADRESSE) in ein Netz; Server eines Netzes
finden einander als HOSTNAME.<Netz>.internal.

Optionen:
  --gateway IP       eine Adresse des Netzes, die Servern als Router genannt wird (standardmäßig keine)
  --ipv6-cidr PRÄFIX ein IPv6-/64 (ein ULA aus fd00::/8 oder ein geroutetes Präfix): Server erhalten ihre
                     Adresse per SLAAC und finden einander auch über IPv6 per Name (standardmäßig nur IPv4)
  --no-wait          create und delete kehren sofort zurück, statt dem Vorgang zu folgen
  --timeout SEKUNDEN wie lange ihm gefolgt wird (Standard 120)
  -o, --output table|json`,
};

const text = {
  en: { deleted: 'network {name} ({id}) deleted', accepted: 'network {name} ({id}) accepted; operation {op}', none: '(none)' },
  de: { deleted: 'Netz {name} ({id}) gelöscht', accepted: 'Netz {name} ({id}) angenommen; Vorgang {op}', none: '(keines)' },
};
/** Column headers and other non-string texts in the language of this process. */
const choose = <T>(both: { en: T; de: T }): T => both[language];
const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/** Runs `kumulus network …`. */
export function runNetwork(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus network', pick(groupHelp), {
    list,
    create,
    show,
    rename,
    label: labelCommand({ group: 'kumulus network', arg: 'NETWORK', help: () => pick(groupHelp), find: (c, ref) => c.getNetwork(ref), save: (c, n, labels) => c.updateNetwork(n.id, { labels }) }),
    delete: remove,
  });
}

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus network list';
  const { values, positionals, output, help } = parseCommand(args, listOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const nets = await fetchList((q) => client.listNetworks(q), values, cmd);
  const head = choose({ en: ['ID', 'NAME', 'CIDR', 'GATEWAY', 'PHASE', 'CREATED'], de: ['ID', 'NAME', 'CIDR', 'GATEWAY', 'PHASE', 'ERSTELLT'] });
  emit(output, nets, () => printTable(head, nets.map((n) => [n.id, n.name, n.ipv4Cidr, n.gateway ?? '-', n.status.phase, formatTime(n.createdAt)])));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus network create';
  const opts = { name: { type: 'string' }, cidr: { type: 'string' }, gateway: { type: 'string' }, 'ipv6-cidr': { type: 'string' }, 'no-wait': { type: 'boolean' }, timeout: { type: 'string' }, ...labelOptions } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const body = { name: requireOption(values.name, 'name', cmd), ipv4Cidr: requireOption(values.cidr, 'cidr', cmd), ...(values.gateway ? { gateway: values.gateway } : {}), ...(values['ipv6-cidr'] ? { ipv6Cidr: values['ipv6-cidr'] } : {}), ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) };
  const timeoutSeconds = parseSeconds(values.timeout, 120, 'timeout', cmd);
  const { client } = await connect();
  const accepted = await client.createNetwork(body, { idempotencyKey: randomUUID() });
  if (values['no-wait']) {
    return emit(output, accepted, () => say(fill(choose(text).accepted, { name: accepted.network.name, id: accepted.network.id, op: accepted.operation.id })));
  }
  const operation = await followOperation(client, accepted.operation, { timeoutSeconds, format: output, label: body.name });
  const network = await client.getNetwork(accepted.network.id);
  emit(output, { network, operation }, () => printNetwork(network));
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus network show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['NETWORK'], cmd);
  const { client } = await connect();
  const network = await client.getNetwork(ref!);
  const allocations = (await client.listNetworkAllocations(network.id)).items;
  emit(output, { network, allocations }, () => {
    printNetwork(network);
    say('');
    printTable(choose({ en: ['ADDRESS', 'HELD BY'], de: ['ADRESSE', 'BELEGT VON'] }), allocations.map((a) => [a.ipv6 ? `${a.address} ${a.ipv6}` : a.address, a.serverId ?? pick({ en: 'the network (DHCP, DNS)', de: 'das Netz (DHCP, DNS)' })]));
  });
}

async function rename(args: string[]): Promise<void> {
  const cmd = 'kumulus network rename';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref, name] = takePositionals(positionals, ['NETWORK', 'NAME'], cmd);
  const { client } = await connect();
  const network = await client.renameNetwork(ref!, name!);
  emit(output, network, () => printNetwork(network));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus network delete';
  const opts = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['NETWORK'], cmd);
  const timeoutSeconds = parseSeconds(values.timeout, 120, 'timeout', cmd);
  const { client } = await connect();
  const network = await client.getNetwork(ref!);
  const op = await client.deleteNetwork(network.id);
  const done = values['no-wait'] ? op : await followOperation(client, op, { timeoutSeconds, format: output, label: network.name });
  emit(output, { network, operation: done }, () => say(fill(choose(text).deleted, { name: network.name, id: network.id })));
}

function printNetwork(n: Network): void {
  const none = choose(text).none;
  printFields([
    [pick({ en: 'ID', de: 'ID' }), n.id],
    [pick({ en: 'Name', de: 'Name' }), n.name],
    [pick({ en: 'Range', de: 'Bereich' }), n.ipv4Cidr],
    [pick({ en: 'IPv6 prefix', de: 'IPv6-Präfix' }), n.ipv6Cidr ?? none],
    [pick({ en: 'Gateway', de: 'Gateway' }), n.gateway ?? none],
    [pick({ en: 'DHCP and DNS', de: 'DHCP und DNS' }), n.dnsServer],
    [pick({ en: 'DNS domain', de: 'DNS-Domäne' }), n.dnsDomain],
    [pick({ en: 'Phase', de: 'Phase' }), n.status.phase],
    [pick({ en: 'Created', de: 'Erstellt' }), formatTime(n.createdAt)],
  ]);
}

