/**
 * The shape every resource list page shares: a table whose columns sort by a click on their
 * header, a filter box, and a per-row delete (or release, revoke …) behind the shared confirmation.
 * The servers list uses the sort header and filter box alone, with its own rows.
 */
import { type ReactNode, useDeferredValue, useMemo, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ListBody } from './list-body.tsx';
import { Pager, type Paging, SelectorBox } from './paged-list.tsx';

/** One column: its header, its cell, and (to sort by it) the value it sorts by. */
export interface Column<T> {
  key: string;
  header: string;
  cell: (item: T) => ReactNode;
  /** The row's own header cell (`<th scope="row">`): the column that names the item. */
  rowHeader?: boolean;
  className?: string;
  sortValue?: (item: T) => string | number;
  /** The API's sort key of this column, in a list the API pages (`paging`); such a column sorts there. */
  apiSort?: string;
}

/** A sort by one column. */
export interface SortState {
  key: string;
  dir: 'asc' | 'desc';
}

/** The destructive action of a row, asked for in the confirmation dialog first. */
export interface RowRemoval<T> {
  /** The row's button, e.g. "Delete". */
  label: string;
  /** What the button's accessible name adds after the label, e.g. the item's name. */
  name: (item: T) => string;
  title: (item: T) => string;
  warning: (item: T) => string;
  confirmLabel: string;
  run: (item: T) => Promise<unknown>;
}

/** Sorts `items` by the column `sort` names; ties and unsortable columns keep the given order. */
export function sortRows<T>(items: T[], columns: Column<T>[], sort: SortState | null): T[] {
  const col = sort && columns.find((c) => c.key === sort.key);
  if (!sort || !col?.sortValue) return items;
  const value = col.sortValue;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true }));
  });
}

/** A column header that sorts by its column: ascending first, then descending. */
export function SortHeader({ label, column, sort, onSort }: { label: string; column: string; sort: SortState | null; onSort: (s: SortState) => void }) {
  const { t } = useI18n();
  const active = sort?.key === column;
  const dir = active ? sort.dir : null;
  return (
    <th scope="col" aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}>
      <button type="button" className="sort-header" onClick={() => onSort({ key: column, dir: dir === 'asc' ? 'desc' : 'asc' })} title={t('list.sortBy', { column: label })}>
        {label}
        <span aria-hidden="true">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

/** The filter box above a list. */
export function FilterBox({ value, onChange, label, testId }: { value: string; onChange: (v: string) => void; label: string; testId?: string }) {
  return (
    <label className="grow">
      <span className="sr-only">{label}</span>
      <input type="search" placeholder={label} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}

/** Props of a resource list. */
export interface ResourceListProps<T> {
  /** The table's accessible name (usually the page title). */
  label: string;
  items: T[] | undefined;
  loading: boolean;
  empty: string;
  columns: Column<T>[];
  rowKey: (item: T) => string;
  /** Attributes of a row (`data-…` for tests and links). */
  rowProps?: (item: T) => Record<string, string>;
  /** The text the filter box searches in; no filter box without it. */
  filterText?: (item: T) => string;
  initialSort?: SortState;
  remove?: RowRemoval<T>;
  /** After a removal went through (reload the list). */
  onRemoved?: (item: T) => void;
  onError: (err: unknown) => void;
  /** Set when the API pages, sorts and selects (usePagedList): `items` is one page, in order. */
  paging?: Paging;
}

/** A resource list: sortable columns, a filter box, and a confirmed removal per row. */
export function ResourceList<T>(p: ResourceListProps<T>) {
  const { t } = useI18n();
  const [localSort, setLocalSort] = useState<SortState | null>(p.initialSort ?? null);
  const { paging } = p;
  const sort = paging ? paging.sort : localSort;
  const setSort = paging ? paging.setSort : setLocalSort;
  const sortable = (c: Column<T>) => (paging ? c.apiSort !== undefined : c.sortValue !== undefined);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const [removing, setRemoving] = useState<{ item: T; busy: boolean } | null>(null);
  const { filterText, columns } = p;
  const shown = useMemo(() => {
    const kept = deferred && filterText ? (p.items ?? []).filter((i) => filterText(i).toLowerCase().includes(deferred)) : (p.items ?? []);
    return paging ? kept : sortRows(kept, columns, sort);
  }, [p.items, deferred, filterText, columns, sort, paging]);

  const remove = async (item: T) => {
    if (!p.remove) return;
    setRemoving({ item, busy: true });
    p.onError(undefined);
    try {
      await p.remove.run(item);
      p.onRemoved?.(item);
    } catch (err) {
      p.onError(err);
    } finally {
      setRemoving(null);
    }
  };

  return (
    <>
      {/* Above the list, not in it: a selector the API refused, or one that keeps nothing, can still be changed. */}
      {paging?.selector && (
        <div className="toolbar wrap">
          <SelectorBox paging={paging} />
        </div>
      )}
    <ListBody items={p.items} loading={p.loading} empty={paging?.selector?.applied ? undefined : p.empty}>
      {() => (
        <>
          {filterText && (
            <div className="toolbar">
              <FilterBox value={query} onChange={setQuery} label={t('list.filter')} testId="list-filter" />
            </div>
          )}
          {shown.length === 0 ? (
            <p className="empty">{t('list.noMatch', { q: query || (paging?.selector?.applied ?? '') })}</p>
          ) : (
            <table className="list cards-on-phone" aria-label={p.label}>
              <thead>
                <tr>
                  {columns.map((c) =>
                    sortable(c) ? (
                      <SortHeader key={c.key} label={c.header} column={paging ? c.apiSort! : c.key} sort={sort} onSort={setSort} />
                    ) : (
                      <th key={c.key} scope="col">
                        {c.header}
                      </th>
                    ),
                  )}
                  {p.remove && (
                    <th scope="col">
                      <span className="sr-only">{t('detail.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {shown.map((item) => (
                  <tr key={p.rowKey(item)} {...p.rowProps?.(item)}>
                    {columns.map((c) =>
                      c.rowHeader ? (
                        <th key={c.key} scope="row" data-label={c.header} className={c.className}>
                          {c.cell(item)}
                        </th>
                      ) : (
                        <td key={c.key} data-label={c.header} className={c.className}>
                          {c.cell(item)}
                        </td>
                      ),
                    )}
                    {p.remove && (
                      <td>
                        <button type="button" className="danger small" onClick={() => setRemoving({ item, busy: false })} aria-label={`${p.remove.label}: ${p.remove.name(item)}`}>
                          {p.remove.label}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {paging && <Pager paging={paging} />}
          {removing && p.remove && (
            <ConfirmDialog
              title={p.remove.title(removing.item)}
              warning={p.remove.warning(removing.item)}
              confirmLabel={p.remove.confirmLabel}
              busy={removing.busy}
              onConfirm={() => void remove(removing.item)}
              onClose={() => setRemoving(null)}
            />
          )}
        </>
      )}
    </ListBody>
    </>
  );
}
