/**
 * `kumulus server nic list|add|remove`: a server's NICs, attached and detached while it runs.
 */
import { randomUUID } from 'node:crypto';
import { dispatch, parseCommand, parseSeconds, requireOption, takePositionals } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick, t } from '../i18n.ts';
import { emit, printTable, say } from '../output.ts';
import { followOperation } from '../progress.ts';
import { resolveServer } from './server-view.ts';

const help = {
  en: `Usage: kumulus server nic <command> [options]

Commands:
  list SERVER                                   the server's NICs: network, address, MAC, state
  add SERVER --network NETWORK [--ipv4 ADDRESS] attaches a NIC (plugged in live when the server runs)
  remove SERVER NIC                             detaches a NIC; its address is released
  limit SERVER NIC [--in MBIT] [--out MBIT]     limits a NIC into and out of the server (0: no limit)
  traffic SERVER [--hours N] [--nic NIC]        bytes in and out per hour and NIC (default: the last 24 hours)

SERVER is a server's id (srv_…) or name, NETWORK a network's id (net_…) or name, or "default";
NIC is a NIC's id (nic_…) as list shows it.

Options:
  --no-wait          add and remove return at once instead of following the operation
  --timeout SECONDS  how long to follow it (default 120)
  -o, --output table|json`,
  de: `Aufruf: kumulus server nic <Befehl> [Optionen]

Befehle:
  list SERVER                                   die Netzwerkkarten des Servers: Netz, Adresse, MAC, Zustand
  add SERVER --network NETZ [--ipv4 ADRESSE]    hängt eine Netzwerkkarte an (im laufenden Server sofort)
  remove SERVER NIC                             hängt eine Netzwerkkarte ab; ihre Adresse wird freigegeben
  limit SERVER NIC [--in MBIT] [--out MBIT]     begrenzt eine Netzwerkkarte in den Server und aus ihm (0: keine Grenze)
  traffic SERVER [--hours N] [--nic NIC]        Bytes hinein und hinaus je Stunde und Netzwerkkarte (Standard: die letzten 24 Stunden)

SERVER ist die ID (srv_…) oder der Name eines Servers, NETZ die ID (net_…) oder der Name eines
Netzes oder "default"; NIC ist die ID (nic_…) einer Netzwerkkarte, wie list sie zeigt.

Optionen:
  --no-wait          add und remove kehren sofort zurück, statt dem Vorgang zu folgen
  --timeout SEKUNDEN wie lange ihm gefolgt wird (Standard 120)
  -o, --output table|json`,
};

const text = {
  en: { limited: 'NIC {nic} of {server} limited: in {in}, out {out} Mbit/s (0: none)', added: 'NIC {nic} ({ipv4}) attached to {server}', removed: 'NIC {nic} detached from {server}', accepted: 'accepted; operation {op}' },
  de: { limited: 'Netzwerkkarte {nic} von {server} begrenzt: hinein {in}, hinaus {out} Mbit/s (0: keine Grenze)', added: 'Netzwerkkarte {nic} ({ipv4}) an {server} angehängt', removed: 'Netzwerkkarte {nic} von {server} abgehängt', accepted: 'angenommen; Vorgang {op}' },
};
const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/** Runs `kumulus server nic …`. */
export function runServerNic(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus server nic', pick(help), { list, add, remove, limit, traffic });
}

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus server nic list';
  const { positionals, output, help: h } = parseCommand(args, {}, cmd);
  if (h) return void process.stdout.write(pick(help) + '\n');
  const [ref] = takePositionals(positionals, ['SERVER'], cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const { items } = await client.listServerNics(server.id);
  const names = new Map((await client.all((q) => client.listNetworks(q))).map((n) => [n.id, n.name]));
  const head = language === 'de' ? ['ID', 'NETZ', 'ADRESSE', 'MAC', 'ZUSTAND'] : ['ID', 'NETWORK', 'ADDRESS', 'MAC', 'STATE'];
  emit(output, items, () => printTable(head, items.map((n) => [n.id, names.get(n.network) ?? n.network, n.ipv4, n.mac, n.state])));
}

async function add(args: string[]): Promise<void> {
  const cmd = 'kumulus server nic add';
  const opts = { network: { type: 'string' }, ipv4: { type: 'string' }, 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return void process.stdout.write(pick(help) + '\n');
  const [ref] = takePositionals(positionals, ['SERVER'], cmd);
  const network = requireOption(values.network, 'network', cmd);
  const timeoutSeconds = parseSeconds(values.timeout, 120, 'timeout', cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const accepted = await client.attachNic(server.id, { network, ...(values.ipv4 ? { ipv4: values.ipv4 } : {}) }, { idempotencyKey: randomUUID() });
  const done = values['no-wait'] ? accepted.operation : await followOperation(client, accepted.operation, { timeoutSeconds, format: output, label: server.name });
  const words = text[language];
  emit(output, { nic: accepted.nic, operation: done }, () =>
    say(values['no-wait'] ? fill(words.accepted, { op: done.id }) : fill(words.added, { nic: accepted.nic.id, ipv4: accepted.nic.ipv4, server: server.name })),
  );
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus server nic remove';
  const opts = { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return void process.stdout.write(pick(help) + '\n');
  const [ref, nic] = takePositionals(positionals, ['SERVER', 'NIC'], cmd);
  const timeoutSeconds = parseSeconds(values.timeout, 120, 'timeout', cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const op = await client.detachNic(server.id, nic!);
  const done = values['no-wait'] ? op : await followOperation(client, op, { timeoutSeconds, format: output, label: server.name });
  const words = text[language];
  emit(output, { operation: done }, () => say(values['no-wait'] ? fill(words.accepted, { op: done.id }) : fill(words.removed, { nic: nic!, server: server.name })));
}

async function limit(args: string[]): Promise<void> {
  const cmd = 'kumulus server nic limit';
  const opts = { in: { type: 'string' }, out: { type: 'string' }, 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return void process.stdout.write(pick(help) + '\n');
  const [ref, nic] = takePositionals(positionals, ['SERVER', 'NIC'], cmd);
  const rate = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    if (!/^\d{1,6}$/.test(v)) throw usageError(t('usage.badValue', { name, value: v, expected: 'Mbit/s ≥ 0' }), cmd);
    return Number(v);
  };
  const body = { ...(values.in !== undefined ? { ingressMbit: rate(values.in, 'in') } : {}), ...(values.out !== undefined ? { egressMbit: rate(values.out, 'out') } : {}) };
  const timeoutSeconds = parseSeconds(values.timeout, 120, 'timeout', cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const op = await client.limitNic(server.id, nic!, body);
  const done = values['no-wait'] ? op : await followOperation(client, op, { timeoutSeconds, format: output, label: server.name });
  const now = (await client.listServerNics(server.id)).items.find((n) => n.id === nic);
  emit(output, { operation: done }, () => say(fill(text[language].limited, { nic: nic!, server: server.name, in: String(now?.ingressMbit ?? 0), out: String(now?.egressMbit ?? 0) })));
}

async function traffic(args: string[]): Promise<void> {
  const cmd = 'kumulus server nic traffic';
  const opts = { hours: { type: 'string' }, nic: { type: 'string' } } as const;
  const { values, positionals, output, help: h } = parseCommand(args, opts, cmd);
  if (h) return void process.stdout.write(pick(help) + '\n');
  const [ref] = takePositionals(positionals, ['SERVER'], cmd);
  const hoursText = values.hours ?? '24';
  if (!/^\d{1,3}$/.test(hoursText) || Number(hoursText) < 1 || Number(hoursText) > 744) throw usageError(t('usage.badValue', { name: 'hours', value: hoursText, expected: '1–744' }), cmd);
  const { client } = await connect();
  const server = await resolveServer(client, ref!);
  const got = await client.serverTraffic(server.id, { hours: Number(hoursText), ...(values.nic ? { nic: values.nic } : {}) });
  const head = language === 'de' ? ['STUNDE', 'NIC', 'NETZ', 'HINEIN', 'HINAUS'] : ['HOUR', 'NIC', 'NETWORK', 'IN', 'OUT'];
  const rows = got.nics.flatMap((n) => n.items.map((i) => ({ hour: i.hour, nic: n.nicId, network: n.network ?? '-', in: i.inBytes, out: i.outBytes })));
  rows.sort((a, b) => a.hour.localeCompare(b.hour) || a.nic.localeCompare(b.nic));
  emit(output, got, () => printTable(head, rows.map((r) => [r.hour.slice(0, 16).replace('T', ' '), r.nic, r.network, bytes(r.in), bytes(r.out)])));
}

/** Bytes in binary units, as the dashboard shows them. */
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
