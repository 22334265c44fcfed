/**
 * `kumulus firewall list|show|create|rules|apply|remove|preview|log|delete`: the tenant's firewalls, their
 * rules and what they are applied to. A rule is written as `ACTION PROTOCOL[/PORTS] [from|to PEER,…]`.
 */
import type { Firewall, FirewallPeer, FirewallRule, FirewallTarget } from '@kumulus/api';
import { dispatch, fetchList, labelOptions, labelsOf, listOptions, parseCommand, requireOption, takePositionals } from '../args.ts';
import { labelCommand } from '../label-command.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick } from '../i18n.ts';
import { emit, formatTime, printFields, printTable, say } from '../output.ts';
import { log, preview } from './firewall-views.ts';

const groupHelp = {
  en: `Usage: kumulus firewall <command> [options]

Commands:
  list [--sort KEY] [-l SELECTOR]             your firewalls (only those whose labels match)
  show FIREWALL                               its rules and what it is applied to
  create --name NAME [--in RULE]… [--out RULE]… [--label K=V]…   makes a firewall
  rules FIREWALL [--in RULE]… [--out RULE]…   replaces its inbound and/or outbound rules
  apply FIREWALL TARGET…                      applies it: --server S, --nic SERVER/nic_…, --selector SEL
  remove FIREWALL TARGET…                     removes it from those targets
  preview [FIREWALL] [--in RULE]… [--out RULE]… [TARGET…]
                                              what the change (or a new firewall) would open
                                              and close on each NIC, without making it
  log SERVER [--nic nic_…]                    the last packets dropped at the NIC (first NIC if not
                                              given) and those of rules with +log
  label FIREWALL KEY=VALUE… [-r KEY]…         sets and removes labels; the others stay
  delete FIREWALL                             deletes a firewall applied to nothing

RULE is "ACTION[+log] PROTOCOL[/PORTS] [PEER,…]": ACTION accept, drop or reject (+log: log the
packets it matches, at most 10 a second); PROTOCOL tcp, udp,
icmp, icmpv6, esp, gre or any; PORTS like 22,8000-8100; PEER a CIDR, server:NAME,
network:NAME or label:SELECTOR. Examples: --in "accept tcp/22 10.0.0.0/8"
--in "accept tcp/5432 label:role=app". A NIC with a firewall takes only what its inbound
rules accept (replies always pass); outbound is open unless an outbound rule accepts something.

Options:
  -o, --output table|json`,
  de: `Aufruf: kumulus firewall <Befehl> [Optionen]

Befehle:
  list [--sort SCHLÜSSEL] [-l SELEKTOR]       Ihre Firewalls (nur die, deren Labels passen)
  show FIREWALL                               ihre Regeln und worauf sie angewendet ist
  create --name NAME [--in REGEL]… [--out REGEL]… [--label S=W]…   legt eine Firewall an
  rules FIREWALL [--in REGEL]… [--out REGEL]… ersetzt ihre eingehenden und/oder ausgehenden Regeln
  apply FIREWALL ZIEL…                        wendet sie an: --server S, --nic SERVER/nic_…, --selector SEL
  remove FIREWALL ZIEL…                       entfernt sie von diesen Zielen
  preview [FIREWALL] [--in REGEL]… [--out REGEL]… [ZIEL…]
                                              was die Änderung (oder eine neue Firewall) auf jeder
                                              NIC öffnen und schließen würde, ohne sie vorzunehmen
  log SERVER [--nic nic_…]                    die zuletzt an der NIC verworfenen Pakete (ohne
                                              Angabe die erste NIC) und die von Regeln mit +log
  label FIREWALL SCHLÜSSEL=WERT… [-r SCHLÜSSEL]…
                                              setzt und entfernt Labels; die übrigen bleiben
  delete FIREWALL                             löscht eine Firewall, die nirgends angewendet ist

REGEL ist "AKTION[+log] PROTOKOLL[/PORTS] [GEGENSTELLE,…]": AKTION accept, drop oder reject
(+log: die Pakete protokollieren, die sie trifft, höchstens 10 pro Sekunde);
PROTOKOLL tcp, udp, icmp, icmpv6, esp, gre oder any; PORTS etwa 22,8000-8100; GEGENSTELLE ein
CIDR, server:NAME, network:NAME oder label:SELEKTOR. Beispiele: --in "accept tcp/22 10.0.0.0/8"
--in "accept tcp/5432 label:role=app". Eine NIC mit Firewall nimmt nur an, was ihre
eingehenden Regeln erlauben (Antworten kommen immer durch); ausgehend ist alles offen, solange
keine ausgehende Regel etwas erlaubt.

Optionen:
  -o, --output table|json`,
};

const text = {
  en: { deleted: 'firewall {name} ({id}) deleted', none: '(none)', badRule: 'a rule as ACTION PROTOCOL[/PORTS] [PEER,…]', noTarget: 'give at least one of --server, --nic, --selector' },
  de: { deleted: 'Firewall {name} ({id}) gelöscht', none: '(keine)', badRule: 'eine Regel als AKTION PROTOKOLL[/PORTS] [GEGENSTELLE,…]', noTarget: 'geben Sie mindestens eines von --server, --nic, --selector an' },
};
const choose = <T>(both: { en: T; de: T }): T => both[language];
const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/** Runs `kumulus firewall …`. */
export function runFirewall(args: string[]): Promise<void> {
  return dispatch(args, 'kumulus firewall', pick(groupHelp), {
    list,
    show,
    create,
    rules,
    apply: (a) => target(a, 'apply'),
    remove: (a) => target(a, 'remove'),
    preview: (a) => preview(a, pick(groupHelp)),
    log: (a) => log(a, pick(groupHelp)),
    label: labelCommand({ group: 'kumulus firewall', arg: 'FIREWALL', help: () => pick(groupHelp), find: (c, ref) => c.getFirewall(ref), save: (c, f, labels) => c.updateFirewall(f.id, { labels }) }),
    delete: remove,
  });
}

/** Reads a rule as the help describes it. */
export function parseRule(spec: string, flag: string, cmd: string): FirewallRule {
  // The peers are the rest of the line: a label selector may hold spaces (`env in (a,b)`).
  const [, actionLog, protoPorts, peers] = /^(\S+)\s+(\S+)(?:\s+(.+))?$/.exec(spec.trim()) ?? [];
  const [action, logged, more] = (actionLog ?? '').split('+');
  const extra = peers !== undefined && !peers.includes('label:') && /\s/.test(peers) ? peers : undefined;
  const [protocol, ports] = (protoPorts ?? '').split('/');
  const bad = () => usageError(pick({ en: `invalid value for --${flag}: "${spec}" (expected ${text.en.badRule})`, de: `ungültiger Wert für --${flag}: „${spec}“ (erwartet: ${text.de.badRule})` }), cmd);
  if (!['accept', 'drop', 'reject'].includes(action ?? '') || (logged !== undefined && logged !== 'log') || more !== undefined) throw bad();
  if (!['tcp', 'udp', 'icmp', 'icmpv6', 'esp', 'gre', 'any'].includes(protocol ?? '') || extra !== undefined) throw bad();
  const peerOf = (p: string): FirewallPeer => {
    if (p.startsWith('server:')) return { server: p.slice(7) };
    if (p.startsWith('network:')) return { network: p.slice(8) };
    if (p.startsWith('label:')) return { labelSelector: p.slice(6) };
    return { cidr: p };
  };
  // A label selector has commas of its own: only a label peer may hold them, and it comes last.
  const peerList = peers === undefined ? [] : peers.includes('label:') ? [...peers.slice(0, peers.indexOf('label:')).split(',').filter(Boolean), peers.slice(peers.indexOf('label:'))] : peers.split(',');
  return {
    action: action as FirewallRule['action'],
    protocol: protocol as FirewallRule['protocol'],
    ...(ports ? { ports: ports.split(',') } : {}),
    ...(peerList.length ? { peers: peerList.map(peerOf) } : {}),
    ...(logged ? { log: true } : {}),
  };
}

function ruleText(r: FirewallRule): string {
  const peer = (p: FirewallPeer) => ('cidr' in p ? p.cidr : 'server' in p ? `server:${p.server}` : 'network' in p ? `network:${p.network}` : `label:${p.labelSelector}`);
  return [`${r.action}${r.log ? '+log' : ''}`, `${r.protocol}${r.ports ? `/${r.ports.join(',')}` : ''}`, r.peers?.map(peer).join(',') ?? ''].filter(Boolean).join(' ');
}

const ruleOpts = { in: { type: 'string', multiple: true }, out: { type: 'string', multiple: true } } as const;

async function list(args: string[]): Promise<void> {
  const cmd = 'kumulus firewall list';
  const { values, positionals, output, help } = parseCommand(args, listOptions, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const { client } = await connect();
  const fws = await fetchList((q) => client.listFirewalls(q), values, cmd);
  const head = choose({ en: ['ID', 'NAME', 'INBOUND', 'OUTBOUND', 'APPLIED TO', 'CREATED'], de: ['ID', 'NAME', 'EINGEHEND', 'AUSGEHEND', 'ANGEWENDET AUF', 'ERSTELLT'] });
  emit(output, fws, () => printTable(head, fws.map((f) => [f.id, f.name, String(f.inbound.length), String(f.outbound.length), String(f.appliedTo.length), formatTime(f.createdAt)])));
}

async function show(args: string[]): Promise<void> {
  const cmd = 'kumulus firewall show';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['FIREWALL'], cmd);
  const { client } = await connect();
  const fw = await client.getFirewall(ref!);
  emit(output, fw, () => printFirewall(fw));
}

async function create(args: string[]): Promise<void> {
  const cmd = 'kumulus firewall create';
  const { values, positionals, output, help } = parseCommand(args, { name: { type: 'string' }, ...ruleOpts, ...labelOptions }, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  takePositionals(positionals, [], cmd);
  const body = { name: requireOption(values.name, 'name', cmd), inbound: (values.in ?? []).map((r) => parseRule(r, 'in', cmd)), outbound: (values.out ?? []).map((r) => parseRule(r, 'out', cmd)), ...(labelsOf(values, cmd) ? { labels: labelsOf(values, cmd) } : {}) };
  const { client } = await connect();
  const fw = await client.createFirewall(body);
  emit(output, fw, () => printFirewall(fw));
}

async function rules(args: string[]): Promise<void> {
  const cmd = 'kumulus firewall rules';
  const { values, positionals, output, help } = parseCommand(args, ruleOpts, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['FIREWALL'], cmd);
  const body = { ...(values.in ? { inbound: values.in.map((r) => parseRule(r, 'in', cmd)) } : {}), ...(values.out ? { outbound: values.out.map((r) => parseRule(r, 'out', cmd)) } : {}) };
  const { client } = await connect();
  const fw = await client.updateFirewall(ref!, body);
  emit(output, fw, () => printFirewall(fw));
}

async function target(args: string[], how: 'apply' | 'remove'): Promise<void> {
  const cmd = `kumulus firewall ${how}`;
  const opts = { server: { type: 'string', multiple: true }, nic: { type: 'string', multiple: true }, selector: { type: 'string', multiple: true } } as const;
  const { values, positionals, output, help } = parseCommand(args, opts, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['FIREWALL'], cmd);
  const targets: FirewallTarget[] = [
    ...(values.server ?? []).map((server) => ({ type: 'server' as const, server })),
    ...(values.nic ?? []).map((n) => ({ type: 'nic' as const, server: n.split('/')[0] ?? '', nic: n.split('/')[1] ?? '' })),
    ...(values.selector ?? []).map((selector) => ({ type: 'label_selector' as const, selector })),
  ];
  if (!targets.length) throw usageError(choose(text).noTarget, cmd);
  const { client } = await connect();
  const fw = how === 'apply' ? await client.applyFirewall(ref!, targets) : await client.removeFirewall(ref!, targets);
  emit(output, fw, () => printFirewall(fw));
}

async function remove(args: string[]): Promise<void> {
  const cmd = 'kumulus firewall delete';
  const { positionals, output, help } = parseCommand(args, {}, cmd);
  if (help) return void process.stdout.write(pick(groupHelp) + '\n');
  const [ref] = takePositionals(positionals, ['FIREWALL'], cmd);
  const { client } = await connect();
  const fw = await client.getFirewall(ref!);
  await client.deleteFirewall(fw.id);
  emit(output, { deleted: fw.id }, () => say(fill(choose(text).deleted, { name: fw.name, id: fw.id })));
}

function printFirewall(f: Firewall): void {
  const none = choose(text).none;
  const targetText = (t: FirewallTarget) => (t.type === 'server' ? `server ${t.server}` : t.type === 'nic' ? `nic ${t.server}/${t.nic}` : `selector ${t.selector}`);
  printFields([
    ['ID', f.id],
    [pick({ en: 'Name', de: 'Name' }), f.name],
    [pick({ en: 'Inbound', de: 'Eingehend' }), f.inbound.map(ruleText).join('\n') || none],
    [pick({ en: 'Outbound', de: 'Ausgehend' }), f.outbound.map(ruleText).join('\n') || none],
    [pick({ en: 'Applied to', de: 'Angewendet auf' }), f.appliedTo.map(targetText).join('\n') || none],
    [pick({ en: 'Created', de: 'Erstellt' }), formatTime(f.createdAt)],
  ]);
}
