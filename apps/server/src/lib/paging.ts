/**
 * The one list helper every list endpoint pages through: cursor paging in id order, `sort` by the
 * keys a list names, `page`/`per_page` as Hetzner Cloud pages, and `label_selector` on lists whose
 * rows carry labels.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { LabelledListQuery, ListQuery, Page, Pagination } from '@kumulus/api';
import { DomainError } from './errors.ts';
import { matchesSelector, selectorFromRequest } from './label-selector.ts';

const CURSOR = /^[a-z]{2,5}_[0-9a-z]{20,32}$/;
/** Hetzner Cloud's default page size. */
const DEFAULT_PER_PAGE = 25;

/** What a list offers beyond id order: more sort keys (API key → column) and labels to select by. */
export interface ListSpec {
  /** Sort keys besides `id` and `created` (both the id column: ids sort by creation time). */
  sort?: Record<string, string>;
  /** True when rows have a `labels` column (JSON text) that `label_selector` matches. */
  labels?: boolean;
  /** A filter on what SQL cannot see on both stores alike (a field inside a JSON column). */
  keep?: (row: never) => boolean;
}

/** A `keep` for a list's `status` filter (`Running,Stopped`): rows whose status JSON is in one of those phases. */
export function inPhases(status: string | undefined): ((row: { status: string }) => boolean) | undefined {
  if (status === undefined) return undefined;
  const phases = new Set(status.split(','));
  return (row) => phases.has((JSON.parse(row.status) as { phase: string }).phase);
}

/** One ORDER BY term. */
interface Term {
  column: string;
  desc: boolean;
}

/** Parses `sort` (`name:asc,created:desc`); a key the list does not know is SORT_KEY_INVALID. */
export function parseSort(text: string, keys: Record<string, string>): Term[] {
  const known = Object.keys(keys).sort().join(', ');
  return text.split(',').map((part) => {
    const [key = '', dir = 'asc', extra] = part.trim().split(':');
    const column = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (column === undefined || (dir !== 'asc' && dir !== 'desc') || extra !== undefined) {
      throw new DomainError('SORT_KEY_INVALID', { key: part.trim(), known }, [
        { field: 'sort', message: { en: `sort by one of ${known}, each optionally :asc or :desc`, de: `sortieren Sie nach ${known}, jeweils wahlweise mit :asc oder :desc` } },
      ]);
    }
    return { column, desc: dir === 'desc' };
  });
}

const badCursor = (why: { en: string; de: string }) =>
  new DomainError('VALIDATION_FAILED', { summary: { en: 'cursor is not one this API gave out', de: 'cursor stammt nicht von dieser API' } }, [{ field: 'cursor', message: why }]);

/**
 * Runs a list query one page at a time. Without `sort` (or sorted by id/created only) it pages by
 * cursor, oldest first or (`order: 'desc'`) newest first; the cursor is the last id seen, so a list
 * stays stable while rows are added. With another sort key, or `page`/`per_page`, it pages by number.
 * Labels are JSON text on both stores, so a selector is applied here, over the rows in order.
 */
export async function paginate<DB, TB extends keyof DB & string, Row extends { id: string }, Out>(
  query: SelectQueryBuilder<DB, TB, Row>,
  idColumn: string,
  q: Partial<LabelledListQuery>,
  map: (row: Row) => Out,
  spec: ListSpec = {},
): Promise<Page<Out>> {
  const keys = { id: idColumn, created: idColumn, ...spec.sort };
  const terms = q.sort !== undefined ? parseSort(q.sort, keys) : [{ column: idColumn, desc: q.order === 'desc' }];
  const idOrder = terms.every((t) => t.column === idColumn);
  const byNumber = q.page !== undefined || q.per_page !== undefined || !idOrder;
  const selector = spec.labels && q.label_selector !== undefined ? selectorFromRequest(q.label_selector, 'label_selector') : null;
  if (q.cursor !== undefined && !CURSOR.test(q.cursor)) throw badCursor({ en: 'use the nextCursor of the previous page', de: 'verwenden Sie den nextCursor der vorigen Seite' });
  if (q.cursor !== undefined && byNumber) throw badCursor({ en: 'a list sorted by anything but id, or paged by number, pages with page and per_page', de: 'eine nicht nach id sortierte oder nach Nummern geblätterte Liste blättert mit page und per_page' });

  // biome-ignore lint/suspicious/noExplicitAny: column names are checked by the callers' typed queries
  const base = query as SelectQueryBuilder<any, any, Row>;
  let ordered = base;
  for (const t of terms) ordered = ordered.orderBy(t.column, t.desc ? 'desc' : 'asc');
  // Equal sort values keep one order on both stores: the id breaks the tie.
  if (!terms.some((t) => t.column === idColumn)) ordered = ordered.orderBy(idColumn, terms[0]!.desc ? 'desc' : 'asc');
  const keep = spec.keep as ((row: Row) => boolean) | undefined;
  const matches = (row: Row) => (selector === null || matchesSelector(selector, labelsOf(row))) && (keep === undefined || keep(row));
  const inMemory = selector !== null || keep !== undefined;

  if (!byNumber) {
    const limit = q.limit ?? 100;
    const desc = terms[0]!.desc;
    const after = q.cursor ? ordered.where(idColumn, desc ? '<' : '>', q.cursor) : ordered;
    const rows = inMemory ? await filtered(after, matches, limit + 1) : await after.limit(limit + 1).execute();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    return { items: items.map(map), nextCursor: more ? items[items.length - 1]!.id : null };
  }

  const perPage = q.per_page ?? q.limit ?? DEFAULT_PER_PAGE;
  const page = q.page ?? 1;
  let items: Row[];
  let total: number;
  if (!inMemory) {
    const counted = await base.clearSelect().select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    total = Number((counted as { n?: unknown } | undefined)?.n ?? 0);
    items = await ordered.limit(perPage).offset((page - 1) * perPage).execute();
  } else {
    const all = (await ordered.execute()).filter(matches);
    total = all.length;
    items = all.slice((page - 1) * perPage, page * perPage);
  }
  return { items: items.map(map), nextCursor: null, meta: { pagination: pagination(page, perPage, total) } };
}

/** Where page `page` of `total` entries sits. */
function pagination(page: number, perPage: number, total: number): Pagination {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  return { page, perPage, previousPage: page > 1 ? Math.min(page - 1, lastPage) : null, nextPage: page < lastPage ? page + 1 : null, lastPage, totalEntries: total };
}

/** The labels of a row with a `labels` column. */
function labelsOf(row: unknown): Record<string, string> {
  const text = (row as { labels?: string }).labels;
  return text ? JSON.parse(text) : {};
}

/** Reads rows in order, 500 at a time, until `want` of them match. */
// biome-ignore lint/suspicious/noExplicitAny: the caller's typed query, already ordered
async function filtered<Row>(query: SelectQueryBuilder<any, any, Row>, matches: (row: Row) => boolean, want: number): Promise<Row[]> {
  const out: Row[] = [];
  for (let offset = 0; ; offset += 500) {
    const batch = await query.limit(500).offset(offset).execute();
    for (const row of batch) if (matches(row) && out.push(row) >= want) return out;
    if (batch.length < 500) return out;
  }
}

/** How an in-memory list sorts by a key: the value of an entry it compares (null sorts first). */
export type SortValue<T> = (item: T) => string | number | null;

/**
 * The counterpart of `paginate` for lists built in memory (prices, hosts, standings, allocations,
 * NICs): `sort` by the keys the list names (SORT_KEY_INVALID otherwise), `order: 'desc'` reverses
 * the list's own order, and `sort`, `page` or `per_page` page by number with the same pagination
 * meta (as many per page as `paginate` gives). Asked for nothing, it answers the whole list in its own order, as before.
 * Equal values keep the list's own order. Such lists have no cursor: one is refused.
 */
export function pageInMemory<T>(items: T[], q: Partial<ListQuery>, keys: Record<string, SortValue<T>>): Page<T> {
  if (q.cursor !== undefined) throw badCursor({ en: 'this list pages with page and per_page', de: 'diese Liste blättert mit page und per_page' });
  let ordered = q.order === 'desc' ? [...items].reverse() : [...items];
  if (q.sort !== undefined) {
    const terms = parseSort(q.sort, Object.fromEntries(Object.keys(keys).map((k) => [k, k])));
    const rank = (a: T, b: T) => {
      for (const t of terms) {
        const value = keys[t.column]!;
        const [x, y] = [value(a), value(b)];
        const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        if (c !== 0) return t.desc ? -c : c;
      }
      return 0;
    };
    ordered = [...items].sort(rank);
  }
  // `limit` alone (the schema fills in its default) sizes cursor pages, which these lists have not.
  if (q.sort === undefined && q.page === undefined && q.per_page === undefined) return { items: ordered, nextCursor: null };
  const perPage = q.per_page ?? q.limit ?? DEFAULT_PER_PAGE;
  const page = q.page ?? 1;
  return { items: ordered.slice((page - 1) * perPage, page * perPage), nextCursor: null, meta: { pagination: pagination(page, perPage, ordered.length) } };
}
