import type { Quotas as QuotasView, QuotaValues, UpdateQuotas } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError, type FieldError, type Localized } from '../../lib/errors.ts';
import type { Database, TenantQuotasTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';

/** What a quota limits. */
export type QuotaKey = keyof QuotaValues;

/** Every quota, in the order the API and CLI show them. */
export const QUOTA_KEYS: QuotaKey[] = ['servers', 'vcpus', 'memoryMb', 'diskGb', 'volumes', 'volumeGb', 'publicIps'];

/** The limits a tenant has until an operator sets its own. */
export const DEFAULT_QUOTAS: QuotaValues = { servers: 100, vcpus: 400, memoryMb: 1_048_576, diskGb: 10_240, volumes: 100, volumeGb: 1024, publicIps: 16 };

// Each quota's name in the messages that refuse something for it.
const NAMES: Record<QuotaKey, Localized> = {
  servers: { en: 'servers', de: 'Server' },
  vcpus: { en: 'vCPUs', de: 'vCPUs' },
  memoryMb: { en: 'MB of memory', de: 'MB Arbeitsspeicher' },
  diskGb: { en: 'GB of server disk', de: 'GB Serverfestplatte' },
  volumes: { en: 'volumes', de: 'Volumes' },
  volumeGb: { en: 'GB of volumes', de: 'GB Volumes' },
  publicIps: { en: 'public IP addresses', de: 'öffentliche IP-Adressen' },
};

const COLUMN: Record<QuotaKey, keyof Omit<TenantQuotasTable, 'tenant_id' | 'updated_at'>> = {
  servers: 'servers',
  vcpus: 'vcpus',
  memoryMb: 'memory_mb',
  diskGb: 'disk_gb',
  volumes: 'volumes',
  volumeGb: 'volume_gb',
  publicIps: 'public_ips',
};

/** Something about to be made, as it counts against the quotas, and the request field each part came from. */
export type QuotaRequest = Partial<Record<QuotaKey, number>>;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  /** The limits of tenants without their own (serve's configuration). */
  defaults: QuotaValues;
  /** Public addresses a tenant holds; the public-IP module plugs its count in here. */
  publicIpsInUse?: (trx: Kysely<Database>, tenantId: string) => Promise<number>;
  /** Refuses new resources of a suspended tenant (dunning); checked with the quotas, in the same transaction. */
  assertMayCreate?: (trx: Kysely<Database>, tenantId: string) => Promise<void>;
}

/**
 * Quotas per tenant: what it may have and what it has. `assertWithin` is called inside the
 * create transaction of every kind of resource, after the tenant's lock, before anything is written.
 */
export function createQuotas(d: Deps) {
  const { db } = d;

  async function limits(trx: Kysely<Database>, tenantId: string): Promise<QuotaValues> {
    const row = await trx.selectFrom('tenant_quotas').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    const out = { ...d.defaults };
    if (row) for (const k of QUOTA_KEYS) out[k] = row[COLUMN[k]] ?? d.defaults[k];
    return out;
  }

  async function usage(trx: Kysely<Database>, tenantId: string): Promise<QuotaValues> {
    // A server being deleted still holds its resources until the engine confirms it is gone.
    const servers = await trx.selectFrom('servers').select('spec').where('tenant_id', '=', tenantId).execute();
    const plans = new Map((await trx.selectFrom('plans').select(['name', 'vcpus', 'memory_mb', 'disk_gb']).execute()).map((p) => [p.name, p]));
    const used: QuotaValues = { servers: servers.length, vcpus: 0, memoryMb: 0, diskGb: 0, volumes: 0, volumeGb: 0, publicIps: 0 };
    for (const s of servers) {
      const plan = plans.get((JSON.parse(s.spec) as { plan: string }).plan);
      used.vcpus += plan?.vcpus ?? 0;
      used.memoryMb += plan?.memory_mb ?? 0;
      used.diskGb += plan?.disk_gb ?? 0;
    }
    const vol = await trx
      .selectFrom('volumes')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('size_gb').as('gb')])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    used.volumes = Number(vol?.n ?? 0);
    used.volumeGb = Number(vol?.gb ?? 0);
    used.publicIps = d.publicIpsInUse ? await d.publicIpsInUse(trx, tenantId) : 0;
    return used;
  }

  /** The tenant a request is about: operators may name any existing one, everyone else gets their own. */
  async function tenantOf(p: Principal, tenantId: string | undefined): Promise<string> {
    if (!tenantId || tenantId === p.tenantId) return p.tenantId;
    if (p.role !== 'operator' || !(await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) {
      throw new DomainError('NOT_FOUND', { kind: 'tenant', id: tenantId });
    }
    return tenantId;
  }

  return {
    limits,
    usage,

    /** Throws TENANT_SUSPENDED while the tenant may not start or create anything. */
    async assertActive(trx: Kysely<Database>, tenantId: string): Promise<void> {
      await d.assertMayCreate?.(trx, tenantId);
    },

    /**
     * Throws QUOTA_EXCEEDED naming the first limit that `add` would pass (with the request field
     * it came from in `fields`), or TENANT_SUSPENDED; call it inside the create transaction.
     */
    async assertWithin(trx: Kysely<Database>, tenantId: string, add: QuotaRequest, fields: Partial<Record<QuotaKey, string>> = {}): Promise<void> {
      await d.assertMayCreate?.(trx, tenantId);
      const [max, used] = await Promise.all([limits(trx, tenantId), usage(trx, tenantId)]);
      for (const k of QUOTA_KEYS) {
        const requested = add[k] ?? 0;
        if (requested <= 0 || used[k] + requested <= max[k]) continue;
        const left = Math.max(0, max[k] - used[k]);
        const details: FieldError[] = fields[k] ? [{ field: fields[k], message: { en: `${left} ${NAMES[k].en} are left in your quota`, de: `${left} ${NAMES[k].de} sind in Ihrem Kontingent übrig` } }] : [];
        throw new DomainError('QUOTA_EXCEEDED', { quota: k, limit: NAMES[k], max: max[k], used: used[k], requested }, details);
      }
    },

    /** A tenant's limits and use (its own, or any for operators). */
    async get(p: Principal, q: { tenantId?: string }): Promise<QuotasView> {
      const tenantId = await tenantOf(p, q.tenantId);
      const [l, u] = await Promise.all([limits(db, tenantId), usage(db, tenantId)]);
      return { tenantId, limits: l, used: u };
    },

    /** Sets a tenant's limits (operators); a limit below what the tenant uses now is refused, naming the field. */
    async update(p: Principal, tenantId: string, body: UpdateQuotas, requestId: string): Promise<QuotasView> {
      requireRole(p, 'operator', { en: 'set quotas', de: 'Kontingente festlegen' });
      await tenantOf(p, tenantId);
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('tenant_quotas').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
        const next: TenantQuotasTable = row ?? { tenant_id: tenantId, servers: null, vcpus: null, memory_mb: null, disk_gb: null, volumes: null, volume_gb: null, public_ips: null, updated_at: 0 };
        for (const k of QUOTA_KEYS) if (body[k] !== undefined) next[COLUMN[k]] = body[k];
        next.updated_at = d.clock();
        const used = await usage(trx, tenantId);
        const below = QUOTA_KEYS.filter((k) => body[k] !== undefined && (next[COLUMN[k]] ?? d.defaults[k]) < used[k]);
        if (below.length) {
          throw new DomainError(
            'QUOTA_BELOW_USE',
            { fields: below.join(', ') },
            below.map((k) => ({ field: k, message: { en: `the tenant uses ${used[k]} ${NAMES[k].en}`, de: `der Mandant belegt ${used[k]} ${NAMES[k].de}` } })),
          );
        }
        if (row) await trx.updateTable('tenant_quotas').set(next).where('tenant_id', '=', tenantId).execute();
        else await trx.insertInto('tenant_quotas').values(next).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'quota.update', targetType: 'tenant', targetId: tenantId, detail: { ...body } });
        const l = await limits(trx, tenantId);
        return { tenantId, limits: l, used };
      });
    },
  };
}

/** The quotas service. */
export type Quotas = ReturnType<typeof createQuotas>;
