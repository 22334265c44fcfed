import type { SelectQueryBuilder } from 'kysely';
import type { Page } from '@kumulus/api';
import { DomainError } from './errors.ts';

const CURSOR = /^[a-z]{2,5}_[0-9a-z]{20,32}$/;

/**
 * Runs a list query one page at a time, oldest first or (`order: 'desc'`) newest first. Ids sort
 * by creation time, so the cursor is simply the last id seen; a list stays stable while rows
 * are added.
 */
export async function paginate<DB, TB extends keyof DB & string, Row extends { id: string }, Out>(
  query: SelectQueryBuilder<DB, TB, Row>,
  idColumn: string,
  q: { cursor?: string; limit?: number; order?: 'asc' | 'desc' },
  map: (row: Row) => Out,
): Promise<Page<Out>> {
  const limit = q.limit ?? 100;
  if (q.cursor !== undefined && !CURSOR.test(q.cursor)) {
    throw new DomainError('VALIDATION_FAILED', { summary: { en: 'cursor is not one this API gave out', de: 'cursor stammt nicht von dieser API' } }, [
      { field: 'cursor', message: { en: 'use the nextCursor of the previous page', de: 'verwenden Sie den nextCursor der vorigen Seite' } },
    ]);
  }
  // biome-ignore lint/suspicious/noExplicitAny: column names are checked by the callers' typed queries
  let qb = query as SelectQueryBuilder<any, any, Row>;
  const desc = q.order === 'desc';
  if (q.cursor) qb = qb.where(idColumn, desc ? '<' : '>', q.cursor);
  const rows = await qb.orderBy(idColumn, desc ? 'desc' : 'asc').limit(limit + 1).execute();
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return { items: items.map(map), nextCursor: more ? items[items.length - 1]!.id : null };
}
