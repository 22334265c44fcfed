import type { CreateSshKey, ListQuery, Page, SshKey } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError, notFound } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
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
  createdAt: new Date(r.created_at).toISOString(),
});

/** A name as given: trimmed, and not blank. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new DomainError('VALIDATION_FAILED', { summary: 'name is blank' }, [{ field: 'name', message: 'give the key a name' }]);
  return trimmed;
}

/** SSH public keys saved in a tenant, picked by id when servers are created. */
export function createSshKeys(d: Deps) {
  const { db, clock, ids, audit } = d;

  async function assertNameFree(trx: Kysely<Database>, p: Principal, name: string, except?: string): Promise<void> {
    let q = trx.selectFrom('ssh_keys').select('id').where('tenant_id', '=', p.tenantId).where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) {
      throw new DomainError('NAME_TAKEN', { kind: 'SSH key', name }, [{ field: 'name', message: 'a key of this name exists' }]);
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
    /** The tenant's keys. */
    list(p: Principal, q: ListQuery): Promise<Page<SshKey>> {
      return paginate(db.selectFrom('ssh_keys').selectAll().where('tenant_id', '=', p.tenantId), 'id', q, toSshKey);
    },

    /** One key of the tenant; a foreign id reads as absent. */
    async get(p: Principal, id: string): Promise<SshKey> {
      const row = await db.selectFrom('ssh_keys').selectAll().where('id', '=', id).where('tenant_id', '=', p.tenantId).executeTakeFirst();
      if (!row) throw notFound('ssh-key', id);
      return toSshKey(row);
    },

    /** Saves a key; without a name it takes the key's comment. A key is saved once per tenant. */
    async create(p: Principal, body: CreateSshKey, requestId: string): Promise<SshKey> {
      const key = parseSshKey(body.publicKey);
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `ssh-keys:${p.tenantId}`);
        const same = await trx.selectFrom('ssh_keys').select('name').where('tenant_id', '=', p.tenantId).where('fingerprint', '=', key.fingerprint).executeTakeFirst();
        if (same) throw new DomainError('SSH_KEY_EXISTS', { name: same.name, fingerprint: key.fingerprint }, [{ field: 'publicKey', message: `saved already as ${same.name}` }]);
        let name: string;
        if (body.name !== undefined) {
          name = cleanName(body.name);
          await assertNameFree(trx, p, name);
        } else {
          // A comment may hold control characters a given name may not: they are dropped.
          const comment = key.comment.replace(/\p{Cc}/gu, '').trim();
          name = await freeDefaultName(trx, p, comment || `${key.type}-${key.fingerprint.slice(7, 15)}`);
        }
        const row: SshKeysTable = { id: ids('key'), tenant_id: p.tenantId, name, public_key: key.line, fingerprint: key.fingerprint, created_at: clock() };
        await trx.insertInto('ssh_keys').values(row).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.create', targetType: 'ssh-key', targetId: row.id, detail: { name, fingerprint: key.fingerprint } });
        return toSshKey(row);
      });
    },

    /** Renames a key. */
    async rename(p: Principal, id: string, newName: string, requestId: string): Promise<SshKey> {
      const name = cleanName(newName);
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, d.dialect, `ssh-keys:${p.tenantId}`);
        const row = await trx.selectFrom('ssh_keys').selectAll().where('id', '=', id).where('tenant_id', '=', p.tenantId).executeTakeFirst();
        if (!row) throw notFound('ssh-key', id);
        await assertNameFree(trx, p, name, id);
        await trx.updateTable('ssh_keys').set({ name }).where('id', '=', id).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.rename', targetType: 'ssh-key', targetId: id, detail: { from: row.name, to: name } });
        return toSshKey({ ...row, name });
      });
    },

    /** Deletes a key; servers made with it keep it in their authorized_keys. */
    async delete(p: Principal, id: string, requestId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const res = await trx.deleteFrom('ssh_keys').where('id', '=', id).where('tenant_id', '=', p.tenantId).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) throw notFound('ssh-key', id);
        await audit.record(trx, actorOf(p, requestId), { action: 'ssh-key.delete', targetType: 'ssh-key', targetId: id });
      });
    },

    /** The public keys behind `keyIds`, in their order; an id the tenant does not have is SSH_KEY_NOT_FOUND. */
    async resolve(trx: Kysely<Database>, p: Principal, keyIds: string[]): Promise<string[]> {
      if (keyIds.length === 0) return [];
      const rows = await trx.selectFrom('ssh_keys').select(['id', 'public_key']).where('tenant_id', '=', p.tenantId).where('id', 'in', keyIds).execute();
      const byId = new Map(rows.map((r) => [r.id, r.public_key]));
      return keyIds.map((id, i) => {
        const line = byId.get(id);
        if (line === undefined) throw new DomainError('SSH_KEY_NOT_FOUND', { id }, [{ field: `sshKeyIds/${i}`, message: 'no such key in your tenant' }]);
        return line;
      });
    },
  };
}

/** The SSH keys service. */
export type SshKeys = ReturnType<typeof createSshKeys>;
