/**
 * Preview of a firewall change: the proposed rules and targets are checked as a real change
 * would be, then compared per NIC with what holds now — which accepts start or stop holding,
 * which drops go or come, and whether the NIC gains or loses its default-deny — with the
 * addresses each reference stands for at this moment. Nothing is written.
 */
import type { FirewallPeer, FirewallPreview, FirewallPreviewRequest, FirewallRule, NicPreview, PreviewRule } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { DomainError } from '../../lib/errors.ts';
import { matchesSelector, parseLabelSelector } from '../../lib/label-selector.ts';
import type { Database } from '../../store/schema.ts';
import type { Principal } from '../identity/principal.ts';
import { firewallsByNic, type HostFirewall, type HostModel, type HostNic } from './compile.ts';
import type { StoredRules } from './firewalls.ts';
import { checkRules, checkTargets } from './rule-check.ts';

interface Deps {
  db: Kysely<Database>;
  loadModel: () => Promise<HostModel>;
}

/** The addresses a peer stands for now, for the tenant `tenantId`. */
function addressesOf(m: HostModel, tenantId: string, peer: FirewallPeer): string[] {
  const of = (n: HostNic) => [...n.ipv4, ...n.ipv6];
  if ('cidr' in peer) return [peer.cidr];
  if ('server' in peer) return m.nics.filter((n) => n.serverId === peer.server).flatMap(of);
  if ('network' in peer) return m.networks.filter((n) => n.id === peer.network && (n.tenantId === tenantId || n.tenantId === null)).map((n) => n.cidr);
  const sel = parseLabelSelector(peer.labelSelector);
  return m.nics.filter((n) => n.tenantId === tenantId && matchesSelector(sel, n.labels)).flatMap(of);
}

/** The rules a NIC is guarded by in model `m`, each with its resolved addresses and a key that says what it lets through. */
function rulesAt(m: HostModel, nic: HostNic, names: Map<string, string>): { key: string; rule: PreviewRule }[] {
  const out: { key: string; rule: PreviewRule }[] = [];
  for (const fw of firewallsByNic(m).get(nic.nicId) ?? []) {
    for (const [direction, list] of [['in', fw.inbound], ['out', fw.outbound]] as const) {
      for (const r of list) {
        const addresses = r.peers ? [...new Set(r.peers.flatMap((p) => addressesOf(m, fw.tenantId, p)))].sort() : undefined;
        const key = JSON.stringify([direction, r.action === 'accept', r.protocol, r.ports ?? null, addresses ?? null]);
        out.push({ key, rule: { ...r, direction, firewall: names.get(fw.id) ?? fw.id, ...(addresses ? { addresses } : {}) } });
      }
    }
  }
  return out;
}

/** Creates the preview service. */
export function createPreview(d: Deps) {
  return {
    /** What the proposed state of a firewall would open and close, per NIC of the tenant. */
    async preview(p: Principal, body: FirewallPreviewRequest): Promise<FirewallPreview> {
      const { db } = d;
      const row = body.firewall
        ? await db.selectFrom('firewalls').selectAll().where(body.firewall.startsWith('fw_') ? 'id' : 'name', '=', body.firewall).where('tenant_id', '=', p.tenantId).executeTakeFirst()
        : undefined;
      if (body.firewall && !row) throw new DomainError('FIREWALL_NOT_FOUND', { id: body.firewall }, [{ field: 'firewall', message: { en: 'no firewall of yours has this id or name', de: 'keine Ihrer Firewalls hat diese ID oder diesen Namen' } }]);
      const stored: StoredRules = row ? JSON.parse(row.rules) : { inbound: [], outbound: [] };
      const proposed: HostFirewall = {
        id: row?.id ?? 'fw_new',
        tenantId: p.tenantId,
        inbound: body.inbound ? await checkRules(db, p.tenantId, body.inbound, 'inbound') : stored.inbound,
        outbound: body.outbound ? await checkRules(db, p.tenantId, body.outbound, 'outbound') : stored.outbound,
        appliedTo: body.applyTo ? await checkTargets(db, p.tenantId, body.applyTo) : row ? JSON.parse(row.applied_to) : [],
      };
      const before = await d.loadModel();
      const after: HostModel = { ...before, firewalls: [...before.firewalls.filter((f) => f.id !== proposed.id), proposed] };
      const names = new Map((await db.selectFrom('firewalls').select(['id', 'name']).where('tenant_id', '=', p.tenantId).execute()).map((f) => [f.id, f.name]));
      names.set('fw_new', '(new)');
      const serverNames = new Map((await db.selectFrom('servers').select(['id', 'name']).where('tenant_id', '=', p.tenantId).execute()).map((s) => [s.id, s.name]));
      const guarded = (m: HostModel) => firewallsByNic(m);
      const [gBefore, gAfter] = [guarded(before), guarded(after)];
      const nics: NicPreview[] = [];
      for (const nic of before.nics.filter((n) => n.tenantId === p.tenantId)) {
        const was = rulesAt(before, nic, names);
        const will = rulesAt(after, nic, names);
        const wasKeys = new Set(was.map((r) => r.key));
        const willKeys = new Set(will.map((r) => r.key));
        const isAccept = (r: FirewallRule) => r.action === 'accept';
        const opens = [...will.filter((r) => isAccept(r.rule) && !wasKeys.has(r.key)), ...was.filter((r) => !isAccept(r.rule) && !willKeys.has(r.key))].map((r) => r.rule);
        const closes = [...was.filter((r) => isAccept(r.rule) && !willKeys.has(r.key)), ...will.filter((r) => !isAccept(r.rule) && !wasKeys.has(r.key))].map((r) => r.rule);
        const guardedBefore = gBefore.has(nic.nicId);
        const guardedAfter = gAfter.has(nic.nicId);
        if (!opens.length && !closes.length && guardedBefore === guardedAfter) continue;
        nics.push({ server: nic.serverId, serverName: serverNames.get(nic.serverId) ?? nic.serverId, nic: nic.nicId, guardedBefore, guardedAfter, opens, closes });
      }
      return { nics };
    },
  };
}

/** The preview service. */
export type Preview = ReturnType<typeof createPreview>;
