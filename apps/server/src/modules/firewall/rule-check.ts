/**
 * Validation of firewall rules and targets as a request gives them, turning names into ids so
 * the stored rules reference resources (a server's address is derived when compiled).
 */
import type { FirewallPeer, FirewallRule, FirewallTarget } from '@kumulus/api';
import { isIPv4, isIPv6 } from 'node:net';
import type { Kysely } from 'kysely';
import { DomainError, type FieldError } from '../../lib/errors.ts';
import { selectorFromRequest } from '../../lib/label-selector.ts';
import type { Database } from '../../store/schema.ts';

const invalid = (field: string, details: FieldError[]) => new DomainError('VALIDATION_FAILED', { summary: { en: `${field} is not valid`, de: `${field} ist ungültig` } }, details);

/** An IPv4 or IPv6 range in canonical form, or null when it is not one (host bits set count as not one). */
export function canonicalCidr(text: string): string | null {
  const [addr = '', len, extra] = text.split('/');
  if (extra !== undefined) return null;
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) return null;
  const max = v4 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  const bits = v4 ? addr.split('.').map((o) => BigInt(o)).reduce((a, o) => (a << 8n) | o, 0n) : ipv6ToBigInt(addr);
  const host = (1n << BigInt(max - prefix)) - 1n;
  if ((bits & host) !== 0n) return null;
  return `${addr}/${prefix}`;
}

/** An IPv6 address as a 128-bit number (no embedded IPv4 form). */
export function ipv6ToBigInt(addr: string): bigint {
  const [head = '', tail] = addr.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = tail === undefined ? [] : parts(tail);
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((a, g) => (a << 16n) | BigInt(`0x${g || '0'}`), 0n);
}

/** Finds a server of the tenant by id or name; absent (or foreign) is SERVER_NOT_FOUND naming `field`. */
export async function serverIdOf(db: Kysely<Database>, tenantId: string, ref: string, field: string): Promise<{ id: string; nics: string[] }> {
  const row = await db.selectFrom('servers').select(['id', 'spec']).where(ref.startsWith('srv_') ? 'id' : 'name', '=', ref).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new DomainError('SERVER_NOT_FOUND', { id: ref }, [{ field, message: { en: 'no server of yours has this id or name', de: 'keiner Ihrer Server hat diese ID oder diesen Namen' } }]);
  return { id: row.id, nics: (JSON.parse(row.spec).nics as { id: string }[]).map((n) => n.id) };
}

async function peerOf(db: Kysely<Database>, tenantId: string, peer: FirewallPeer, field: string): Promise<FirewallPeer> {
  if ('cidr' in peer) {
    const cidr = canonicalCidr(peer.cidr);
    if (!cidr) throw invalid(`${field}.cidr`, [{ field: `${field}.cidr`, message: { en: 'give an IPv4 or IPv6 address or a range such as 10.0.0.0/8 (no host bits set)', de: 'geben Sie eine IPv4- oder IPv6-Adresse oder einen Bereich wie 10.0.0.0/8 an (ohne gesetzte Host-Bits)' } }]);
    return { cidr };
  }
  if ('server' in peer) return { server: (await serverIdOf(db, tenantId, peer.server, `${field}.server`)).id };
  if ('network' in peer) {
    if (peer.network === 'default') return { network: 'default' };
    const row = await db.selectFrom('networks').select('id').where(peer.network.startsWith('net_') ? 'id' : 'name', '=', peer.network).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!row) throw new DomainError('NETWORK_NOT_FOUND', { id: peer.network }, [{ field: `${field}.network`, message: { en: 'no network of yours has this id or name', de: 'keines Ihrer Netze hat diese ID oder diesen Namen' } }]);
    return { network: row.id };
  }
  selectorFromRequest(peer.labelSelector, `${field}.labelSelector`);
  return { labelSelector: peer.labelSelector };
}

/** Checks rules (ports only with tcp/udp, ranges the right way up and in range) and resolves their peers. */
export async function checkRules(db: Kysely<Database>, tenantId: string, rules: FirewallRule[], list: string): Promise<FirewallRule[]> {
  const out: FirewallRule[] = [];
  for (const [i, r] of rules.entries()) {
    const field = `${list}[${i}]`;
    if (r.ports && r.protocol !== 'tcp' && r.protocol !== 'udp') {
      throw invalid(`${field}.ports`, [{ field: `${field}.ports`, message: { en: `${r.protocol} has no ports: leave ports out or use tcp or udp`, de: `${r.protocol} hat keine Ports: lassen Sie ports weg oder verwenden Sie tcp oder udp` } }]);
    }
    for (const [j, p] of (r.ports ?? []).entries()) {
      const [lo = 0, hi = lo] = p.split('-').map(Number);
      if (lo < 1 || hi > 65535 || lo > hi) {
        throw invalid(`${field}.ports[${j}]`, [{ field: `${field}.ports[${j}]`, message: { en: 'ports are 1 to 65535, a range low-high with low ≤ high', de: 'Ports sind 1 bis 65535, ein Bereich niedrig-hoch mit niedrig ≤ hoch' } }]);
      }
    }
    const peers = r.peers ? await Promise.all(r.peers.map((peer, k) => peerOf(db, tenantId, peer, `${field}.peers[${k}]`))) : undefined;
    out.push({ ...r, ...(peers ? { peers } : {}) });
  }
  return out;
}

/** Checks targets and names their servers by id (a NIC must be one of that server's). */
export async function checkTargets(db: Kysely<Database>, tenantId: string, targets: FirewallTarget[], field = 'applyTo'): Promise<FirewallTarget[]> {
  const out: FirewallTarget[] = [];
  for (const [i, t] of targets.entries()) {
    if (t.type === 'label_selector') {
      selectorFromRequest(t.selector, `${field}[${i}].selector`);
      out.push(t);
      continue;
    }
    const server = await serverIdOf(db, tenantId, t.server, `${field}[${i}].server`);
    if (t.type === 'nic' && !server.nics.includes(t.nic)) {
      throw new DomainError('NOT_FOUND', { kind: 'NIC', id: t.nic }, [{ field: `${field}[${i}].nic`, message: { en: 'this server has no NIC with this id', de: 'dieser Server hat keine NIC mit dieser ID' } }]);
    }
    out.push(t.type === 'nic' ? { type: 'nic', server: server.id, nic: t.nic } : { type: 'server', server: server.id });
  }
  return out;
}

/** True when two stored targets name the same thing. */
export function sameTarget(a: FirewallTarget, b: FirewallTarget): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
