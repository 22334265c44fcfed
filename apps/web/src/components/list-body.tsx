/** The body of a list page in its states: loading, empty, or the items. */
import type { ReactNode } from 'react';
import { Loading } from './loading.tsx';

/**
 * Shows a spinner until the first answer, the `empty` text when there are no items, and
 * `children(items)` otherwise. Nothing while a failed first load is shown by an ErrorNotice.
 */
export function ListBody<T>({ items, loading, empty, children }: { items: T[] | undefined; loading: boolean; empty?: string; children: (items: T[]) => ReactNode }) {
  if (!items) return loading ? <Loading /> : null;
  if (items.length === 0 && empty) return <p className="empty">{empty}</p>;
  return <>{children(items)}</>;
}
