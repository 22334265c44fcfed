/**
 * Lists paged, sorted and selected by the API: the page asks for `page`, `per_page`, `sort`,
 * (on labelled resources) `label_selector` and (on resources with phases) `status`, and shows the page the API answers with where it sits
 * (page 2 of 5, 112 entries) — so a list of thousands loads 25 rows, not all of them.
 */
import type { Page } from '@kumulus/api/schemas';
import type { QueryKey } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { usePoll } from '../lib/use-poll.ts';
import type { SortState } from './resource-list.tsx';

/** What a paged list asks the API for (a type, not an interface: the client's query takes any string key). */
export type PageQuery = {
  page: number;
  per_page: number;
  sort?: string;
  label_selector?: string;
  status?: string;
};

/** Where the shown page sits, as the API says. */
interface Where {
  page: number;
  lastPage: number;
  totalEntries: number;
}

/** The state of a paged list that ResourceList draws: sort, page, page size and selector. */
export interface Paging {
  sort: SortState | null;
  setSort: (s: SortState) => void;
  where: Where | null;
  setPage: (n: number) => void;
  perPage: number;
  setPerPage: (n: number) => void;
  /** Present on lists of labelled resources. */
  selector?: { applied: string; apply: (s: string) => void };
  /** Present on lists filtered by phase: the phase shown, or '' for all. */
  status?: { applied: string; apply: (phase: string) => void };
}

/** The page sizes offered. */
export const PAGE_SIZES = [10, 25, 50, 100] as const;

/**
 * Loads one page of a list through the API, again every `intervalMs`; `apiSort` maps a column
 * key to the API's sort key (columns not in it do not sort).
 */
export function usePagedList<T>(
  key: QueryKey,
  load: (q: PageQuery, signal: AbortSignal) => Promise<Page<T>>,
  opts: { intervalMs: number | ((d: T[] | undefined) => number); initialSort?: SortState; labels?: boolean; status?: boolean; perPage?: number },
) {
  const [sort, setSortState] = useState<SortState | null>(opts.initialSort ?? null);
  const [page, setPage] = useState(1);
  const [perPage, setPerPageState] = useState(opts.perPage ?? 25);
  const [applied, setApplied] = useState('');
  const [phase, setPhase] = useState('');
  const q: PageQuery = {
    page,
    per_page: perPage,
    ...(sort ? { sort: `${sort.key}:${sort.dir}` } : {}),
    ...(applied ? { label_selector: applied } : {}),
    ...(phase ? { status: phase } : {}),
  };
  const res = usePoll(
    [...key, q],
    (signal) => load(q, signal),
    (d) => (typeof opts.intervalMs === 'function' ? opts.intervalMs(d?.items) : opts.intervalMs),
  );
  const where = res.data?.meta?.pagination ?? null;
  // A page past the end (the last entry of the last page removed) steps back to the new last page.
  if (where && where.page > where.lastPage && page !== where.lastPage) setPage(where.lastPage);
  const paging: Paging = {
    sort,
    setSort: (s) => {
      setSortState(s);
      setPage(1);
    },
    where,
    setPage,
    perPage,
    setPerPage: (n) => {
      setPerPageState(n);
      setPage(1);
    },
    ...(opts.labels
      ? {
          selector: {
            applied,
            apply: (s: string) => {
              setApplied(s.trim());
              setPage(1);
            },
          },
        }
      : {}),
    ...(opts.status
      ? {
          status: {
            applied: phase,
            apply: (p: string) => {
              setPhase(p);
              setPage(1);
            },
          },
        }
      : {}),
  };
  return { data: res.data?.items, error: res.error, loading: res.loading, reload: res.reload, paging };
}

/** The label selector box of a paged list: typed, then applied (Enter), so the API parses it and says where it is wrong. */
export function SelectorBox({ paging }: { paging: Paging }) {
  const { t } = useI18n();
  const [text, setText] = useState(paging.selector?.applied ?? '');
  if (!paging.selector) return null;
  const { apply } = paging.selector;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(text);
  };
  return (
    <form className="row" onSubmit={submit}>
      <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('list.selector')} aria-label={t('list.selector')} data-testid="list-selector" spellCheck={false} />
      <button type="submit" className="small">
        {t('list.applySelector')}
      </button>
    </form>
  );
}

/**
 * The status filter of a paged list: every phase of the resource, each named by `phaseLabel`;
 * the API filters, so paging counts only what is shown.
 */
export function StatusFilter({ paging, phases, phaseLabel, label }: { paging: Paging; phases: readonly string[]; phaseLabel: (phase: string) => string; label: string }) {
  const { t } = useI18n();
  if (!paging.status) return null;
  const { applied, apply } = paging.status;
  return (
    <select value={applied} onChange={(e) => apply(e.target.value)} aria-label={label} data-testid="list-status">
      <option value="">{t('list.allStatuses')}</option>
      {phases.map((p) => (
        <option key={p} value={p}>
          {phaseLabel(p)}
        </option>
      ))}
    </select>
  );
}

/** Previous and next page, where the page sits, and the page size. */
export function Pager({ paging }: { paging: Paging }) {
  const { t, number } = useI18n();
  const { where } = paging;
  if (!where) return null;
  return (
    <nav className="row pager" aria-label={t('list.pages')} data-testid="list-pager">
      <button type="button" className="small" disabled={where.page <= 1} onClick={() => paging.setPage(where.page - 1)}>
        {t('list.previous')}
      </button>
      <span className="small muted" aria-live="polite" data-testid="list-where">
        {t(where.totalEntries === 1 ? 'list.whereOne' : 'list.where', { page: number(where.page), last: number(where.lastPage), total: number(where.totalEntries) })}
      </span>
      <button type="button" className="small" disabled={where.page >= where.lastPage} onClick={() => paging.setPage(where.page + 1)}>
        {t('list.next')}
      </button>
      <label className="small">
        {t('list.perPage')}{' '}
        <select value={paging.perPage} onChange={(e) => paging.setPerPage(Number(e.target.value))} data-testid="list-per-page">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
