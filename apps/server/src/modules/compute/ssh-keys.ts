import type { CreateSshKey, LabelledListQuery, Page, SshKey, UpdateSshKey } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError, notFound } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { assertValidLabels } from '../../lib/labels.ts';
import { paginate } from '../../lib/paging.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, SshKeysTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import type { Principal } from '../identity/principal.ts';
import { parseSshKey } from './ssh-key-format.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  dialect: 'sqlite' | 'postgres';
}

const toSshKey = (r: SshKeysTable): SshKey => ({
  id: r.id,
  name: r.name,
  fingerprint: r.fingerprint,
  publicKey: r.public_key,
  labels: JSON.parse(r.labels || '{}'),
  createdAt: new Date(r.created_at).toISOString(),
});

/** A name as given: trimmed, and not blank. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) {
    throw new DomainError('VALIDATION_FAILED', { summary: { en: 'name is blank', de: 'name ist leer' } }, [{ field: 'name', message: { en: 'give the key a name', de: 'geben Sie dem Schlüssel einen Namen' } }]);
  }
  return trimmed;
}

/** A key of the tenant by id or name; the id wins, since a name is free text and may look like an id. */
async function findRow(trx: Kysely<Database>, p: Principal, ref: string): Promise<SshKeysTable> {
  const rows = await trx
    .selectFrom('ssh_keys')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .execute();
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  if (!row) throw notFound('ssh-key', ref);
  return row;
}

/** SSH public keys saved in a tenant, picked by id or name when servers are created. */
export function createSshKeys(d: Deps) {
  const { db, clock, ids, audit } = d;

  async function assertNameFree(trx: Kysely<Database>, p: Principal, name: string, except?: string): Promise<void> {
    let q = trx.selectFrom('ssh_keys').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) {
      throw new DomainError('NAME_TAKEN', { kind: 'ssh-key', name }, [{ field: 'name', message: { en: 'a key of this name exists', de: 'ein Schlüssel dieses Namens existiert' } }]);
    }
  }

  /** `base`, or `base (2)`, `base (3)` … when keys of that name exist: two laptops often share a comment. */
  async function freeDefaultName(trx: Kysely<Database>, p: Principal, base: string): Promise<string> {
    const stem = base.slice(0, 90);
    const taken = new Set((await trx.selectFrom('ssh_keys').select('name').where('tenant_id', '=', p.tenantId).execute()).map((r) => r.name));
    let name = stem;
    for (let n = 2; taken.has(name); n++) name = `${stem} (${n})`;
    return name;
  }

  return {
    /** The tenant's keys, those whose labels match `label_selector` when one is given. */
    list(p: Principal, q: LabelledListQuery): Promise<Page<SshKey>> {
      return paginate(db.selectFrom('ssh_keys').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toSshKey, { sort: { name: 'name' }, labels: true });
    },

    /** One key of the tenant, by id or name; a foreign id reads as absent. */
    async get(p: Principal, ref: string): Promise<SshKey> {
      return toSshKey(await findRow(db, p, ref));
    },

    /** Saves a key; without a name it takes the key's comment. A key is saved once per tenant. */
    async create(p: Principal, body: CreateSshKey, requestId: string): Promise<SshKey> {
      const key = parseSshKey(body.publicKey);
      const labels = body.labels ?? {};
      assertValidLabels(labels);
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `ssh-keys:${p.tenantId}`);
        const same = await trx.selectFrom('ssh_keys').select('name').where('tenant_id', '=', p.tenantId).where('fingerprint', '=', key.fingerprint).executeTakeFirst();
        if (same) {
          throw new DomainError('SSH_KEY_EXISTS', { name: same.name, fingerprint: key.fingerprint }, [
            { field: 'publicKey', message: { en: `saved already as ${same.name}`, de: `bereits gespeichert als ${same.name}` } },
          ]);
        }
        let name: string;
        if (body.name !== undefined) {
          name = cleanName(body.name);
          await assertNameFree(trx, p, name);
        } else {
          // A comment may hold control characters a given name may not: they are dropped.
          const comment = key.comment.replace(/\p{Cc}/gu, '').trim();
          name = await freeDefaultName(trx, p, comment || `${key.type}-${key.fingerprint.slice(7, 15)}`);
        }
        const row: SshKeysTable = { id: ids('key'), tenant_id: p.tenantId, name, public_key: key.line, fingerprint: key.fingerprint, labels: JSON.stringify(labels), created_at: clock() };
        await trx.insertInto('ssh_keys').values(row).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.create', targetType: 'ssh-key', targetId: row.id, detail: { name, fingerprint: key.fingerprint } });
        return toSshKey(row);
      });
    },

    /** Renames a key and/or replaces its labels; the key is named by id or name. */
    async update(p: Principal, ref: string, body: UpdateSshKey, requestId: string): Promise<SshKey> {
      const name = body.name === undefined ? undefined : cleanName(body.name);
      if (body.labels) assertValidLabels(body.labels);
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `ssh-keys:${p.tenantId}`);
        const row = await findRow(trx, p, ref);
        if (name !== undefined) await assertNameFree(trx, p, name, row.id);
        const next = { ...row, name: name ?? row.name, labels: body.labels ? JSON.stringify(body.labels) : row.labels };
        await trx.updateTable('ssh_keys').set({ name: next.name, labels: next.labels }).where('id', '=', row.id).execute();
        if (name !== undefined) await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.rename', targetType: 'ssh-key', targetId: row.id, detail: { from: row.name, to: name } });
        if (body.labels) await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.update', targetType: 'ssh-key', targetId: row.id, detail: { labels: body.labels } });
        return toSshKey(next);
      });
    },

    /** Deletes a key, named by id or name; servers made with it keep it in their authorized_keys. */
    async delete(p: Principal, ref: string, requestId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, p, ref);
        await trx.deleteFrom('ssh_keys').where('id', '=', row.id).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.delete', targetType: 'ssh-key', targetId: row.id });
      });
    },

    /** The public keys behind `refs` (ids or names), in their order; one the tenant does not have is SSH_KEY_NOT_FOUND. */
    async resolve(trx: Kysely<Database>, p: Principal, refs: string[]): Promise<string[]> {
      if (refs.length === 0) return [];
      const rows = await trx
        .selectFrom('ssh_keys')
        .select(['id', 'name', 'public_key'])
        .where('tenant_id', '=', p.tenantId)
        .where((eb) => eb.or([eb('id', 'in', refs), eb('name', 'in', refs)]))
        .execute();
      return refs.map((ref, i) => {
        const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name === ref);
        if (!row) {
          throw new DomainError('SSH_KEY_NOT_FOUND', { id: ref }, [{ field: `sshKeyIds/${i}`, message: { en: 'no such key in your tenant', de: 'kein solcher Schlüssel in Ihrem Mandanten' } }]);
        }
        return row.public_key;
      });
    },
  };
}

/** The SSH keys service. */
export type SshKeys = ReturnType<typeof createSshKeys>;
