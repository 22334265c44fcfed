import type { CreatePlan, Image, ListQuery, Page, Plan } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { paginate } from '../../lib/paging.ts';
import type { Database, ImagesTable, PlansTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { requireRole } from '../identity/principal.ts';

// A month for prices is 730 hours (365 × 24 / 12), as Hetzner and most clouds count it.
const HOURS_PER_MONTH = 730;

const toPlan = (p: PlansTable): Plan => ({
  id: p.id,
  name: p.name,
  description: p.description,
  vcpus: p.vcpus,
  memoryMb: p.memory_mb,
  diskGb: p.disk_gb,
  priceHourly: { amount: Number(p.price_hour_minor), currency: p.currency },
  priceMonthly: { amount: Number(p.price_hour_minor) * HOURS_PER_MONTH, currency: p.currency },
  snapshotLimit: p.snapshot_limit ?? 3,
  diskQos: p.disk_qos ? JSON.parse(p.disk_qos) : null,
});

const UNKNOWN_PLAN = { en: 'unknown plan', de: 'unbekannter Tarif' };

const toImage = (i: ImagesTable): Image => ({ id: i.id, name: i.name, os: i.os, kind: i.kind, status: i.status, message: i.message });

/** The plans a fresh installation offers; operators add their own. */
export const DEFAULT_PLANS: CreatePlan[] = [
  { name: 'nano', description: '1 vCPU, 256 MB', vcpus: 1, memoryMb: 256, diskGb: 2, priceHourly: { amount: 1, currency: 'EUR' } },
  { name: 'small', description: '1 vCPU, 1 GB', vcpus: 1, memoryMb: 1024, diskGb: 10, priceHourly: { amount: 2, currency: 'EUR' } },
  { name: 'medium', description: '2 vCPU, 4 GB', vcpus: 2, memoryMb: 4096, diskGb: 40, priceHourly: { amount: 6, currency: 'EUR' } },
];

/** Plans (sizes and prices) and images. */
export function createCatalog({ db, clock, ids, audit }: { db: Kysely<Database>; clock: Clock; ids: IdGenerator; audit: Audit }) {
  return {
    /** Adds the default plans and the engine's images that are not there yet. */
    async seed(images: { name: string; os: string; kind: 'container' | 'vm' }[]): Promise<void> {
      for (const p of DEFAULT_PLANS) {
        if (!(await db.selectFrom('plans').select('id').where('name', '=', p.name).executeTakeFirst())) {
          await db.insertInto('plans').values(planRow(p)).execute();
        }
      }
      for (const i of images) {
        if (!(await db.selectFrom('images').select('id').where('name', '=', i.name).executeTakeFirst())) {
          await db.insertInto('images').values({ id: ids('img'), name: i.name, os: i.os, kind: i.kind, status: 'available', message: '', created_at: clock() }).execute();
        }
      }
    },

    listPlans(q: ListQuery): Promise<Page<Plan>> {
      return paginate(db.selectFrom('plans').selectAll(), 'id', q, toPlan, { sort: { name: 'name' } });
    },

    /** Adds a plan (operators only). */
    async createPlan(p: Principal, body: CreatePlan, requestId: string): Promise<Plan> {
      requireRole(p, 'operator', { en: 'create plans', de: 'Tarife erstellen' });
      return db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('plans').select('id').where('name', '=', body.name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: 'plan', name: body.name });
        }
        const row = planRow(body);
        await trx.insertInto('plans').values(row).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'plan.create', targetType: 'plan', targetId: row.id, detail: { name: body.name } });
        return toPlan(row);
      });
    },

    /** The plan of that name; PLAN_NOT_FOUND otherwise. */
    async planByName(trx: Kysely<Database>, name: string): Promise<Plan> {
      const row = await trx.selectFrom('plans').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) throw new DomainError('PLAN_NOT_FOUND', { plan: name }, [{ field: 'plan', message: UNKNOWN_PLAN }]);
      return toPlan(row);
    },

    /** The plan a request names, by id (`plan_…`, as GET /plans shows it) or by name; PLAN_NOT_FOUND otherwise. */
    async findPlan(trx: Kysely<Database>, ref: string): Promise<Plan> {
      // Names cannot contain "_", so an id never reads as a name.
      const row = await trx.selectFrom('plans').selectAll().where(ref.startsWith('plan_') ? 'id' : 'name', '=', ref).executeTakeFirst();
      if (!row) throw new DomainError('PLAN_NOT_FOUND', { plan: ref }, [{ field: 'plan', message: UNKNOWN_PLAN }]);
      return toPlan(row);
    },

    listImages(q: ListQuery): Promise<Page<Image>> {
      return paginate(db.selectFrom('images').selectAll(), 'id', q, toImage, { sort: { name: 'name' } });
    },

    /** The image a request names, by id (`img_…`) or by name; IMAGE_NOT_FOUND otherwise. */
    async findImage(trx: Kysely<Database>, ref: string): Promise<Image> {
      const row = await trx.selectFrom('images').selectAll().where(ref.startsWith('img_') ? 'id' : 'name', '=', ref).executeTakeFirst();
      if (!row) throw new DomainError('IMAGE_NOT_FOUND', { image: ref }, [{ field: 'image', message: { en: 'unknown image', de: 'unbekanntes Image' } }]);
      return toImage(row);
    },

    /** Records where an image's preparation stands. */
    async setImageStatus(name: string, status: Image['status'], message = ''): Promise<void> {
      await db.updateTable('images').set({ status, message }).where('name', '=', name).execute();
    },
  };

  function planRow(p: CreatePlan): PlansTable {
    return {
      id: ids('plan'),
      name: p.name,
      description: p.description ?? '',
      vcpus: p.vcpus,
      memory_mb: p.memoryMb,
      disk_gb: p.diskGb,
      price_hour_minor: p.priceHourly.amount,
      currency: p.priceHourly.currency.toUpperCase(),
      ...(p.snapshotLimit !== undefined ? { snapshot_limit: p.snapshotLimit } : {}),
      ...(p.diskQos ? { disk_qos: JSON.stringify(p.diskQos) } : {}),
      created_at: clock(),
    };
  }
}

/** The catalog service. */
export type Catalog = ReturnType<typeof createCatalog>;
