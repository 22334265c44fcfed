/**
 * Proxmox VE clusters an operator registers through `/api/v1/clusters`: the connection is checked before
 * anything is stored (reachable, token accepted, every privilege Kumulus needs held — missing ones named), the
 * nodes are discovered, and the token secret is sealed with the key outside the store. A control plane drives
 * one engine, chosen when `kumulus serve` starts; a cluster registered while it runs on the local host is the
 * engine from the next start on (`active` says which is driven now).
 */
import type { Cluster, ClusterHealth, ClusterNode, CreateCluster, NodeRole, UpdateClusterNode } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { createPveClient, normalizeFingerprint, type ProxmoxEndpoint, type PveClient } from '../../drivers/proxmox/client.ts';
import { checkConnection } from '../../drivers/proxmox/host.ts';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import type { Database, ProxmoxClustersTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { sealContext } from './proxmox-registration.ts';
import type { SecretBox } from './secret-box.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  box: () => SecretBox;
  /** The cluster this process drives now, with its live node roles (placement reads them); null on the local host. */
  active: { id: string; roles: Record<string, NodeRole> } | null;
  /** Makes a client for an endpoint (tests and the emulator pass theirs through the default). */
  connect?: (ep: ProxmoxEndpoint) => PveClient;
}

interface NodeEntry {
  node: string;
  status: string;
  maxcpu?: number;
  maxmem?: number;
}

const parseNodes = (row: ProxmoxClustersTable): ClusterNode[] => JSON.parse(row.nodes || '[]') as ClusterNode[];
const parseHealth = (row: ProxmoxClustersTable): ClusterHealth => ({ ok: false, checkedAt: null, problems: [], ...(JSON.parse(row.health || '{}') as Partial<ClusterHealth>) });

/** The API's view of a cluster row. */
function toCluster(row: ProxmoxClustersTable, activeId: string | null): Cluster {
  return { id: row.id, name: row.name, engine: 'proxmox', url: row.url, tokenId: row.token_id, fingerprint: row.fingerprint, ca: !!row.ca, active: row.id === activeId, nodes: parseNodes(row), health: parseHealth(row), createdAt: iso(row.created_at)! };
}

/** The nodes the cluster reports now, keeping the role and labels an operator gave the ones already known. */
async function discoverNodes(client: PveClient, known: ClusterNode[]): Promise<ClusterNode[]> {
  const byName = new Map(known.map((n) => [n.name, n]));
  const found = await client.get<NodeEntry[]>('/nodes');
  return found
    .map((n) => ({ name: n.node, online: n.status === 'online', cpus: n.maxcpu ?? 0, memoryMb: Math.round((n.maxmem ?? 0) / 2 ** 20), role: byName.get(n.node)?.role ?? ('compute' as const), labels: byName.get(n.node)?.labels ?? {} }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The problem a failed check found, as the domain error (with the field to correct) that refuses a registration. */
function refusal(problem: { check: string; subject: string; message: string }, ep: ProxmoxEndpoint): DomainError {
  if (problem.check === 'proxmox-reachable') return new DomainError('PROXMOX_UNREACHABLE', { url: ep.url, reason: problem.message }, [{ field: 'url', message: problem.message }]);
  if (problem.check === 'proxmox-token') return new DomainError('PROXMOX_TOKEN_REFUSED', { url: ep.url, tokenId: ep.tokenId }, [{ field: 'tokenSecret', message: { en: 'the cluster refused this token id and secret', de: 'der Cluster hat diese Token-ID und dieses Geheimnis abgelehnt' } }]);
  const list = problem.subject;
  return new DomainError('PROXMOX_PRIVILEGES_MISSING', { tokenId: ep.tokenId, privileges: list }, [{ field: 'tokenId', message: { en: `the token lacks these privileges on /: ${list}`, de: `dem Token fehlen diese Rechte auf /: ${list}` } }]);
}

/** The clusters service. */
export function createClusters(d: Deps) {
  const { db, clock } = d;
  const activeId = d.active?.id ?? null;
  const connect = d.connect ?? ((ep: ProxmoxEndpoint) => createPveClient({ timeoutMs: 10_000, ...ep }));

  async function find(idOrName: string): Promise<ProxmoxClustersTable> {
    const row = await db.selectFrom('proxmox_clusters').selectAll().where(idOrName.startsWith('pvc_') ? 'id' : 'name', '=', idOrName).executeTakeFirst();
    if (!row) throw new DomainError('CLUSTER_NOT_FOUND', { id: idOrName });
    return row;
  }

  const endpointOf = (row: ProxmoxClustersTable): ProxmoxEndpoint => ({
    url: row.url,
    tokenId: row.token_id,
    tokenSecret: d.box().open(row.token_secret_sealed, sealContext(row.id, row.token_id)),
    ...(row.fingerprint ? { fingerprint: row.fingerprint } : {}),
    ...(row.ca ? { ca: row.ca } : {}),
  });

  /** Checks the connection and discovers the nodes; the check's problems are kept, never thrown. */
  async function probe(ep: ProxmoxEndpoint, known: ClusterNode[]): Promise<{ health: ClusterHealth; nodes: ClusterNode[] }> {
    const client = connect(ep);
    try {
      const problems = (await checkConnection(client, ep.url)).map(({ check, subject, message, fix }) => ({ check, subject, message, fix }));
      const reachable = !problems.some((p) => p.check === 'proxmox-reachable' || p.check === 'proxmox-token');
      const nodes = reachable ? await discoverNodes(client, known) : known.map((n) => ({ ...n, online: false }));
      return { health: { ok: problems.length === 0, checkedAt: iso(clock())!, problems }, nodes };
    } finally {
      await client.close();
    }
  }

  /** Applies a node's role to the engine this process drives, so placement honours it at once. */
  function applyRoles(row: ProxmoxClustersTable, nodes: ClusterNode[]): void {
    if (!d.active || row.id !== d.active.id) return;
    for (const n of nodes) d.active.roles[n.name] = n.role;
  }

  async function serverCount(): Promise<number> {
    return Number((await db.selectFrom('servers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }

  return {
    /** Every registered cluster with its nodes and the last check. */
    async list(p: Principal): Promise<Cluster[]> {
      requireRole(p, 'operator', { en: 'see clusters', de: 'Cluster ansehen' });
      return (await db.selectFrom('proxmox_clusters').selectAll().orderBy('created_at').execute()).map((r) => toCluster(r, activeId));
    },
    async get(p: Principal, idOrName: string): Promise<Cluster> {
      requireRole(p, 'operator', { en: 'see clusters', de: 'Cluster ansehen' });
      return toCluster(await find(idOrName), activeId);
    },
    /** Registers a cluster once its connection checks out; a failed check is refused with what is missing. */
    async register(p: Principal, body: CreateCluster, requestId: string): Promise<Cluster> {
      requireRole(p, 'operator', { en: 'register clusters', de: 'Cluster registrieren' });
      const fingerprint = body.fingerprint === undefined ? undefined : normalizeFingerprint(body.fingerprint);
      if (fingerprint === null) {
        const message = { en: 'not a SHA-256 fingerprint (64 hex digits, with or without colons)', de: 'kein SHA-256-Fingerabdruck (64 Hexadezimalziffern, mit oder ohne Doppelpunkte)' };
        throw new DomainError('VALIDATION_FAILED', { summary: message }, [{ field: 'fingerprint', message }]);
      }
      const existing = await db.selectFrom('proxmox_clusters').select(['name']).executeTakeFirst();
      if (existing) throw new DomainError('CLUSTER_EXISTS', { name: existing.name });
      if (!d.active) {
        const count = await serverCount();
        if (count > 0) throw new DomainError('CLUSTER_SWITCH_BLOCKED', { count });
      }
      const ep: ProxmoxEndpoint = { url: body.url.replace(/\/+$/, ''), tokenId: body.tokenId, tokenSecret: body.tokenSecret, ...(fingerprint ? { fingerprint } : {}), ...(body.ca ? { ca: body.ca } : {}) };
      const { health, nodes } = await probe(ep, []);
      if (health.problems[0]) throw refusal(health.problems[0], ep);
      const now = clock();
      const id = d.ids('pvc');
      const row: ProxmoxClustersTable = {
        id,
        name: body.name,
        url: ep.url,
        token_id: ep.tokenId,
        token_secret_sealed: d.box().seal(ep.tokenSecret, sealContext(id, ep.tokenId)),
        fingerprint: fingerprint ?? null,
        ca: body.ca ?? null,
        nodes: JSON.stringify(nodes),
        health: JSON.stringify(health),
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('proxmox_clusters').values(row).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'cluster.register', targetType: 'cluster', targetId: id, detail: { name: row.name, url: row.url, tokenId: row.token_id, nodes: nodes.map((n) => n.name) } });
      });
      return toCluster(row, activeId);
    },
    /** Checks the connection again and picks up nodes added or removed since; the result is stored, not thrown. */
    async check(p: Principal, idOrName: string): Promise<Cluster> {
      requireRole(p, 'operator', { en: 'check clusters', de: 'Cluster prüfen' });
      const row = await find(idOrName);
      const { health, nodes } = await probe(endpointOf(row), parseNodes(row));
      const next = { ...row, health: JSON.stringify(health), nodes: JSON.stringify(nodes), updated_at: clock() };
      await db.updateTable('proxmox_clusters').set({ health: next.health, nodes: next.nodes, updated_at: next.updated_at }).where('id', '=', row.id).execute();
      return toCluster(next, activeId);
    },
    /** Sets a node's role (only compute nodes get servers; effective at once on the cluster driven now) and labels. */
    async updateNode(p: Principal, idOrName: string, node: string, body: UpdateClusterNode, requestId: string): Promise<Cluster> {
      requireRole(p, 'operator', { en: 'change cluster nodes', de: 'Clusterknoten ändern' });
      if (body.labels) assertValidLabels(body.labels);
      const row = await find(idOrName);
      const nodes = parseNodes(row);
      const target = nodes.find((n) => n.name === node);
      if (!target) throw new DomainError('CLUSTER_NODE_NOT_FOUND', { cluster: row.name, node });
      if (body.role) target.role = body.role;
      if (body.labels) target.labels = body.labels;
      const next = { ...row, nodes: JSON.stringify(nodes), updated_at: clock() };
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('proxmox_clusters').set({ nodes: next.nodes, updated_at: next.updated_at }).where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'cluster.node.update', targetType: 'cluster', targetId: row.id, detail: { node, ...body } });
      });
      applyRoles(row, nodes);
      return toCluster(next, activeId);
    },
    /** Removes a registration; refused while the cluster driven now still holds servers. */
    async delete(p: Principal, idOrName: string, requestId: string): Promise<void> {
      requireRole(p, 'operator', { en: 'remove clusters', de: 'Cluster entfernen' });
      const row = await find(idOrName);
      if (row.id === activeId) {
        const count = await serverCount();
        if (count > 0) throw new DomainError('CLUSTER_IN_USE', { name: row.name, count });
      }
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('proxmox_clusters').where('id', '=', row.id).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'cluster.delete', targetType: 'cluster', targetId: row.id, detail: { name: row.name, url: row.url } });
      });
    },
  };
}

/** The clusters service. */
export type Clusters = ReturnType<typeof createClusters>;
