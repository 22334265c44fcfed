import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../lib/clock.ts';
import { DomainError } from '../lib/errors.ts';
import type { Database } from '../store/schema.ts';
import { MAX_JSON_DEPTH } from './body.ts';

/** A stored answer to replay. */
export interface StoredAnswer {
  statusCode: number;
  /** The serialized JSON body as first sent. */
  payload: string;
}

function fingerprint(method: string, url: string, body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body ?? null);
  } catch {
    // The body parser bounds nesting, so this is a second line: a body too deep to serialize is
    // the caller's mistake, never a 500.
    throw new DomainError('JSON_TOO_DEEP', { limit: MAX_JSON_DEPTH });
  }
  return createHash('sha256').update(`${method} ${url}\n${text}`).digest('hex');
}

/**
 * Idempotency-Key handling: the first request with a key reserves it, its answer is stored,
 * and a repeat with the same body gets the same answer without doing the work again.
 */
export function createIdempotency({ db, clock }: { db: Kysely<Database>; clock: Clock }) {
  return {
    /**
     * Reserves the key for this request; answers the stored answer of an earlier identical one.
     * A key reused with another body, or one whose first request is still running, is an error.
     */
    async begin(principal: string, key: string, method: string, url: string, body: unknown): Promise<StoredAnswer | null> {
      if (key.length < 1 || key.length > 200) {
        throw new DomainError('VALIDATION_FAILED', { summary: { en: 'Idempotency-Key must be 1 to 200 characters', de: 'Idempotency-Key muss 1 bis 200 Zeichen lang sein' } }, [
          { field: 'header:idempotency-key', message: { en: 'use 1 to 200 characters, e.g. a UUID', de: 'verwenden Sie 1 bis 200 Zeichen, z. B. eine UUID' } },
        ]);
      }
      const fp = fingerprint(method, url, body);
      const row = await db.transaction().execute(async (trx) => {
        const found = await trx.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst();
        if (!found) {
          await trx.insertInto('idempotency_keys').values({ principal, key, fingerprint: fp, status_code: 0, body: '', created_at: clock() }).execute();
        }
        return found;
      });
      if (!row) return null;
      if (row.fingerprint !== fp) throw new DomainError('IDEMPOTENCY_KEY_REUSED', { key });
      if (row.status_code === 0) {
        throw new DomainError('CONFLICT', {
          reason: { en: `a request with Idempotency-Key ${key} is still being processed; retry in a moment`, de: `eine Anfrage mit dem Idempotency-Key ${key} wird noch bearbeitet; versuchen Sie es gleich erneut` },
        });
      }
      return { statusCode: row.status_code, payload: row.body };
    },

    /** Stores the answer for replay; a server error frees the key so the request can be retried. */
    async finish(principal: string, key: string, statusCode: number, payload: string): Promise<void> {
      const q = db.updateTable('idempotency_keys').where('principal', '=', principal).where('key', '=', key);
      if (statusCode >= 500) {
        await db.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).execute();
      } else {
        await q.set({ status_code: statusCode, body: payload }).execute();
      }
    },
  };
}

/** The idempotency store. */
export type Idempotency = ReturnType<typeof createIdempotency>;
