/**
 * `kumulus firewall preview` (what a change would open and close, per NIC, before it is made)
 * and `kumulus firewall log` (the last packets a NIC's firewall dropped, and those of rules with log).
 */
import type { FirewallPeer, FirewallTarget, PreviewRule } from '@kumulus/api';
import { parseCommand } from '../args.ts';
import { connect } from '../config.ts';
import { usageError } from '../errors.ts';
import { language, pick } from '../i18n.ts';
import { emit, formatTime, printTable, say } from '../output.ts';
import { parseRule } from './firewall.ts';

const ruleOpts = { in: { type: 'string', multiple: true }, out: { type: 'string', multiple: true } } as const;
const targetOpts = { server: { type: 'string', multiple: true }, nic: { type: 'string', multiple: true }, selector: { type: 'string', multiple: true } } as const;

function peerText(p: FirewallPeer): string {
  return 'cidr' in p ? p.cidr : 'server' in p ? `server:${p.server}` : 'network' in p ? `network:${p.network}` : `label:${p.labelSelector}`;
}

function previewLine(r: PreviewRule): string {
  const dir = r.direction === 'in' ? pick({ en: 'in', de: 'ein' }) : pick({ en: 'out', de: 'aus' });
  const peers = r.peers ? ` ${r.peers.map(peerText).join(',')}${r.addresses ? ` (= ${r.addresses.join(', ') || pick({ en: 'no address now', de: 'derzeit keine Adresse' })})` : ''}` : '';
  return `${dir}: ${r.action} ${r.protocol}${r.ports ? `/${r.ports.join(',')}` : ''}${peers}  [${r.firewall}]`;
}

/** `kumulus firewall preview [FIREWALL] [--in RULE]… [--out RULE]… [--server S]… [--nic S/nic_…]… [--selector SEL]…` */
export async function preview(args: string[], help: string): Promise<void> {
  const cmd = 'kumulus firewall preview';
  const { values, positionals, output, help: asked } = parseCommand(args, { ...ruleOpts, ...targetOpts }, cmd);
  if (asked) return void process.stdout.write(`${help}\n`);
  if (positionals.length > 1) throw usageError(pick({ en: `too many arguments: ${positionals[1]}`, de: `zu viele Argumente: ${positionals[1]}` }), cmd);
  const targets: FirewallTarget[] = [
    ...(values.server ?? []).map((server) => ({ type: 'server' as const, server })),
    ...(values.nic ?? []).map((n) => ({ type: 'nic' as const, server: n.split('/')[0] ?? '', nic: n.split('/')[1] ?? '' })),
    ...(values.selector ?? []).map((selector) => ({ type: 'label_selector' as const, selector })),
  ];
  const { client } = await connect();
  const fw = positionals[0] ? await client.getFirewall(positionals[0]) : null;
  const body = {
    ...(fw ? { firewall: fw.id } : {}),
    ...(values.in ? { inbound: values.in.map((r) => parseRule(r, 'in', cmd)) } : {}),
    ...(values.out ? { outbound: values.out.map((r) => parseRule(r, 'out', cmd)) } : {}),
    // Targets given are added to those the firewall has, as `apply` would.
    ...(targets.length ? { applyTo: [...(fw?.appliedTo ?? []), ...targets] } : {}),
  };
  const result = await client.previewFirewall(body);
  emit(output, result, () => {
    if (!result.nics.length) return say(pick({ en: 'this change opens and closes nothing', de: 'diese Änderung öffnet und schließt nichts' }));
    for (const n of result.nics) {
      say(`${n.serverName} ${n.nic}`);
      if (!n.guardedBefore && n.guardedAfter) say(pick({ en: '  closes: all inbound traffic no rule accepts (the NIC gets its first firewall)', de: '  schließt: allen eingehenden Verkehr, den keine Regel erlaubt (die NIC erhält ihre erste Firewall)' }));
      if (n.guardedBefore && !n.guardedAfter) say(pick({ en: '  opens: all traffic (no firewall is left on the NIC)', de: '  öffnet: allen Verkehr (keine Firewall bleibt auf der NIC)' }));
      for (const r of n.opens) say(`  ${pick({ en: 'opens', de: 'öffnet' })}  ${previewLine(r)}`);
      for (const r of n.closes) say(`  ${pick({ en: 'closes', de: 'schließt' })} ${previewLine(r)}`);
    }
  });
}

/** `kumulus firewall log SERVER [--nic nic_…]`: the NIC's last logged packets, newest first. */
export async function log(args: string[], help: string): Promise<void> {
  const cmd = 'kumulus firewall log';
  const { values, positionals, output, help: asked } = parseCommand(args, { nic: { type: 'string' } }, cmd);
  if (asked) return void process.stdout.write(`${help}\n`);
  if (positionals.length !== 1) throw usageError(pick({ en: 'give the SERVER', de: 'geben Sie den SERVER an' }), cmd);
  const { client } = await connect();
  const server = await client.getServer(positionals[0]!);
  const nic = values.nic ?? server.spec.nics[0]?.id ?? '';
  const entries = (await client.nicFirewallLog(server.id, nic)).items;
  const reason = (e: (typeof entries)[number]) => (e.reason === 'rule' ? `${e.firewall} ${e.direction === 'in' ? 'in' : 'out'}[${e.rule}]` : e.reason);
  const heads = { en: ['TIME', 'DIR', 'ACTION', 'PROTO', 'SOURCE', 'DESTINATION', 'RULE'], de: ['ZEIT', 'RICHTUNG', 'AKTION', 'PROTO', 'QUELLE', 'ZIEL', 'REGEL'] };
  const head = heads[language];
  const addr = (a: string, port?: number) => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  emit(output, entries, () => printTable(head, entries.map((e) => [formatTime(e.at), e.direction, e.action, e.protocol, addr(e.source, e.sourcePort), addr(e.destination, e.destinationPort), reason(e)])));
}
