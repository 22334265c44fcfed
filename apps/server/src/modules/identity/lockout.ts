import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Database } from '../../store/schema.ts';

/** Failures allowed before a lock starts, per account and per source address. */
const FREE_FAILURES = { account: 5, source: 20 };
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 3_600_000;

const keys = (email: string, source: string) => [
  { key: `account:${email.toLowerCase()}`, free: FREE_FAILURES.account },
  { key: `source:${source}`, free: FREE_FAILURES.source },
];

/** Throws ACCOUNT_LOCKED while the account or the source address is locked out. */
export async function assertNotLocked(db: Kysely<Database>, clock: Clock, email: string, source: string): Promise<void> {
  const rows = await db
    .selectFrom('login_attempts')
    .select(['locked_until'])
    .where('key', 'in', keys(email, source).map((k) => k.key))
    .execute();
  const until = Math.max(0, ...rows.map((r) => Number(r.locked_until)));
  if (until > clock()) {
    const err = new DomainError('ACCOUNT_LOCKED', { seconds: Math.ceil((until - clock()) / 1000) });
    err.retryAfter = Math.ceil((until - clock()) / 1000);
    throw err;
  }
}

/** Counts a failed sign-in; from the free-th failure on, each one doubles the lock (30 s … 1 h). */
export async function recordFailure(db: Kysely<Database>, clock: Clock, email: string, source: string): Promise<void> {
  const now = clock();
  for (const { key, free } of keys(email, source)) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_attempts').selectAll().where('key', '=', key).executeTakeFirst();
      const failures = (row?.failures ?? 0) + 1;
      const over = failures - free + 1; // the free-th failure in a row starts the first lock
      const lockedUntil = over > 0 ? now + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (over - 1)) : 0;
      if (row) {
        await trx.updateTable('login_attempts').set({ failures, locked_until: lockedUntil, updated_at: now }).where('key', '=', key).execute();
      } else {
        await trx.insertInto('login_attempts').values({ key, failures, locked_until: lockedUntil, updated_at: now }).execute();
      }
    });
  }
}

/** Forgets an account's failures after a successful sign-in (the source's count stays). */
export async function clearFailures(db: Kysely<Database>, email: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('key', '=', `account:${email.toLowerCase()}`).execute();
}
