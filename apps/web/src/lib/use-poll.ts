/**
 * Server state for the dashboard, held by TanStack Query: one cache shared by every page, so a
 * list and a detail page of the same resource agree, and polling is what makes lists "live".
 * Polling pauses while the tab is hidden and loads again at once when it shows or regains focus.
 */
import { keepPreviousData, QueryClient, type QueryKey, useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';

/** The dashboard's one cache; emptied when the user signs in or out, so no answer outlives its session. */
export const queryClient = new QueryClient({
  defaultOptions: {
    // A failed load shows its error and the next tick tries again, as before; no silent retries.
    queries: { retry: false, refetchOnWindowFocus: true, refetchIntervalInBackground: false },
  },
});

/** The state of a polled resource. */
export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads now, without waiting for the next tick. */
  reload: () => void;
}

/**
 * Loads the resource named by `key` now and again every `intervalMs` (a function of the last data,
 * so busy resources poll faster); `intervalMs` 0 loads once per visit. While a new key loads, the
 * last key's data stays on screen instead of a blank page.
 */
export function usePoll<T>(
  key: QueryKey,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number | ((data: T | undefined) => number),
): Polled<T> {
  const q = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => load(signal),
    refetchInterval: (query) => (typeof intervalMs === 'function' ? intervalMs(query.state.data) : intervalMs) || false,
    placeholderData: keepPreviousData,
  });
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  return { data: q.data, error: q.error ?? undefined, loading: q.isPending, reload };
}
