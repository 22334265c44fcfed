/**
 * The firewall log: packets the host's ruleset logged (a NIC's default drops, anti-spoofing,
 * zone drops, rules with `log`), read from the engine, told apart by their log prefix (see
 * compile.ts), matched to the NIC they were dropped at, and stored — the last 100 per NIC — so
 * the NIC's tenant sees source, destination, port and the rule that decided.
 */
import type { FirewallLog, FirewallLogEntry } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { LoggedPacket } from '../../drivers/types.ts';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database, FirewallLogTable } from '../../store/schema.ts';
import type { Principal } from '../identity/principal.ts';
import type { HostModel, HostNic } from './compile.ts';
import { serverIdOf } from './rule-check.ts';

/** How many logged packets a NIC keeps. */
export const LOG_KEEP = 100;
const PROTOCOLS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 58: 'icmpv6' };
const ACTIONS = { a: 'accept', d: 'drop', r: 'reject' } as const;

type Decision = Pick<FirewallLogTable, 'action' | 'reason' | 'firewall_id' | 'rule_index'>;

/** What a log prefix says, and the direction(s) it was logged in; null for a prefix not ours. */
export function decodePrefix(prefix: string): { decision: Decision; direction: 'in' | 'out' | 'both'; nic?: string } | null {
  const [kind, a = '', b = '', c = ''] = prefix.split(':');
  const none = { firewall_id: null, rule_index: null };
  if (kind === 'r' && /^[io]\d+$/.test(b) && c in ACTIONS) return { decision: { action: ACTIONS[c as keyof typeof ACTIONS], reason: 'rule', firewall_id: a, rule_index: Number(b.slice(1)) }, direction: b[0] === 'i' ? 'in' : 'out' };
  if (kind === 'd' && (b === 'i' || b === 'o')) return { decision: { action: 'drop', reason: 'default-deny', ...none }, direction: b === 'i' ? 'in' : 'out', nic: a };
  if (kind === 's') return { decision: { action: 'drop', reason: 'anti-spoofing', ...none }, direction: 'out' };
  if (kind === 'z') return { decision: { action: 'drop', reason: 'zone', ...none }, direction: 'both' };
  return null;
}

/** The NICs a logged packet belongs to, each with its direction there. */
export function nicsOf(p: LoggedPacket, m: HostModel): { nic: HostNic; direction: 'in' | 'out' }[] {
  const d = decodePrefix(p.prefix);
  if (!d) return [];
  const has = (n: HostNic, a: string) => n.ipv4.includes(a) || n.ipv6.includes(a);
  // A bridged frame names the bridge port it came in or goes out by; a routed one only the bridge.
  const receiver = (n: HostNic) => p.physOut === n.port || p.outIf === n.port || (p.outIf === n.bridge && has(n, p.destination));
  const sender = (n: HostNic) => p.physIn === n.port || p.inIf === n.port || (p.inIf === n.bridge && has(n, p.source));
  const out: { nic: HostNic; direction: 'in' | 'out' }[] = [];
  for (const n of m.nics) {
    if (d.nic !== undefined && n.nicId !== d.nic) continue;
    if ((d.direction === 'in' || d.direction === 'both') && receiver(n)) out.push({ nic: n, direction: 'in' });
    else if ((d.direction === 'out' || d.direction === 'both') && sender(n)) out.push({ nic: n, direction: 'out' });
  }
  return out;
}

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  /** The host model the packets are matched against (NICs, their ports and addresses). */
  loadModel: () => Promise<HostModel>;
  /** Starts the engine's log reader; absent when the engine has none. */
  watch?: (onPacket: (p: LoggedPacket) => void) => () => Promise<void>;
  flushMs?: number;
}

/** Creates the firewall log: a collector (start/stop) and the tenants' view of it. */
export function createPacketLog(d: Deps) {
  const { db } = d;
  let pending: LoggedPacket[] = [];
  let model: { at: number; m: HostModel } | null = null;

  /** Stores what arrived since the last flush and keeps the last LOG_KEEP per NIC. */
  async function flush(): Promise<void> {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    if (!model || d.clock() - model.at > 1000) model = { at: d.clock(), m: await d.loadModel() };
    const rows: FirewallLogTable[] = [];
    for (const p of batch) {
      const decision = decodePrefix(p.prefix)!;
      for (const { nic, direction } of nicsOf(p, model.m)) {
        rows.push({
          id: d.ids('fwl'),
          tenant_id: nic.tenantId,
          server_id: nic.serverId,
          nic_id: nic.nicId,
          at: p.at.getTime(),
          direction,
          ...decision.decision,
          protocol: PROTOCOLS[p.protocol] ?? String(p.protocol),
          source: p.source,
          destination: p.destination,
          source_port: p.sourcePort ?? null,
          destination_port: p.destinationPort ?? null,
        });
      }
    }
    if (!rows.length) return;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 200) await trx.insertInto('firewall_log').values(rows.slice(i, i + 200)).execute();
      for (const nic of new Set(rows.map((r) => r.nic_id))) {
        const oldest = await trx.selectFrom('firewall_log').select('id').where('nic_id', '=', nic).orderBy('id', 'desc').offset(LOG_KEEP - 1).limit(1).executeTakeFirst();
        if (oldest) await trx.deleteFrom('firewall_log').where('nic_id', '=', nic).where('id', '<', oldest.id).execute();
      }
    });
  }

  return {
    /** Starts reading and storing; answers the stop function (which stores what is still pending). */
    start(): () => Promise<void> {
      if (!d.watch) return async () => {};
      const unwatch = d.watch((p) => {
        if (decodePrefix(p.prefix)) pending.push(p);
      });
      let running: Promise<void> = Promise.resolve();
      const timer = setInterval(() => {
        running = running.then(flush).catch((err: Error) => console.error(`kumulus: firewall log: ${err.message}`));
      }, d.flushMs ?? 500);
      return async () => {
        clearInterval(timer);
        await unwatch();
        await running;
        await flush().catch((err: Error) => console.error(`kumulus: firewall log: ${err.message}`));
      };
    },

    /** The last packets logged at one NIC of the tenant's server, newest first. */
    async list(p: Principal, serverRef: string, nicId: string): Promise<FirewallLog> {
      const server = await serverIdOf(db, p.tenantId, serverRef, 'id');
      if (!server.nics.includes(nicId)) throw new DomainError('NIC_NOT_FOUND', { server: serverRef, id: nicId });
      const rows = await db.selectFrom('firewall_log').selectAll().where('nic_id', '=', nicId).where('tenant_id', '=', p.tenantId).orderBy('id', 'desc').limit(LOG_KEEP).execute();
      return { items: rows.map(toEntry) };
    },
  };
}

function toEntry(r: FirewallLogTable): FirewallLogEntry {
  return {
    id: r.id,
    at: iso(r.at)!,
    direction: r.direction,
    action: r.action,
    reason: r.reason,
    ...(r.firewall_id ? { firewall: r.firewall_id } : {}),
    ...(r.rule_index !== null ? { rule: Number(r.rule_index) } : {}),
    protocol: r.protocol,
    source: r.source,
    destination: r.destination,
    ...(r.source_port !== null ? { sourcePort: Number(r.source_port) } : {}),
    ...(r.destination_port !== null ? { destinationPort: Number(r.destination_port) } : {}),
  };
}

/** The firewall log service. */
export type PacketLog = ReturnType<typeof createPacketLog>;
